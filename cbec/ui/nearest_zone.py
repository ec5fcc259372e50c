"""The nearest-zone page: a starting point from the city list or a typed place name (with
suggestions for near-misses), the k nearest zones as numbered markers that match the table, on a
map that shows them all, and how much of China lies near a zone after each batch. Layout only;
the work is in cbec.places and cbec.nearest."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import charts, colors, data, i18n, layers, mapview, nearest, places
from cbec.geocoders import GeocodeError
from cbec.ui import probe, shared, slots
from cbec.ui.shared import Run
from cbec.urlstate import K_RANGE, MAX_PLACE, State


def _coverage(ds) -> pd.DataFrame:
    """Share of prefecture-level divisions near a zone after each batch (computed once per
    dataset, kept with it)."""

    def make() -> pd.DataFrame:
        steps = [
            (int(b), d.date())
            for b, d in zip(ds.batches["batch"], ds.batches["approved_on"], strict=True)
        ]
        return nearest.coverage(ds.prefectures, ds.zones, steps)

    return ds.derived("coverage", make)


def place_label(p: places.Place, tr: i18n.For) -> str:
    """A place's name in the interface's language first; in English, a division without an
    English name is named in pinyin, with its seat's English name."""
    if tr.data_lang == "zh":
        return " · ".join(n for n in (p.name_zh, p.name_en) if n)
    if p.name_en:
        return " · ".join(n for n in (p.name_en, p.name_zh) if n)
    if p.seat:
        return tr.text("nz_seat_named", name=p.pinyin or p.name_zh, zh=p.name_zh, seat=p.seat)
    return " · ".join(n for n in (p.pinyin, p.name_zh) if n)


def _city_labels(ds, lang: str) -> dict[str, str]:
    def make() -> dict[str, str]:
        tr = i18n.tr(lang)
        out = {}
        for r in ds.prefectures.itertuples(index=False):
            place = places.Place(
                r.name_en, r.name_zh, r.province_en, r.lat, r.lon, "prefecture", r.seat, r.pinyin
            )
            prov = tr.col(r._asdict(), "province")
            out[r.adcode] = f"{place_label(place, tr)} ({prov})"
        return dict(sorted(out.items(), key=lambda kv: kv[1]))

    return ds.derived(("city_labels", lang), make)


EXAMPLE_CITY = "110000"  # Beijing: what the page shows before a start is chosen


def _city(ds, adcode: str) -> places.Place:
    r = ds.prefecture(adcode)
    return places.Place(r["name_en"], r["name_zh"], r["province_en"], r["lat"], r["lon"],
                        "prefecture", r["seat"], r["pinyin"])  # fmt: skip


def origin(run: Run, state: State) -> places.Place | None:
    """Where to measure from: the chosen city, or the typed place (offline gazetteer; online
    too when the operator switched it on)."""
    ds, tr = run.ds, run.tr
    if state.city and not state.place:
        return _city(ds, state.city)
    if not state.place:
        return None
    found: list[places.Place] = []
    online = places.online_enabled(_secrets())
    if online:
        try:
            with slots.slot_given_back():
                found = places.ONLINE.find(state.place)
        except places.Busy:
            st.caption(tr("nz_online_busy"))
        except GeocodeError:
            st.warning(tr("nz_online_failed"))
    if not found:
        found = places.find_offline(state.place, ds.prefectures, ds.places)
    if not found:
        st.info(tr("nz_no_match", q=state.place))
        for name in places.suggest(state.place, ds.prefectures, ds.places):
            st.button(
                tr.text("nz_did_you_mean", name=name),
                key=f"suggest_{name}",
                on_click=_set_place,
                args=(name,),
                icon=":material/search:",
            )
        return None
    first = found[0]
    source = tr.text(f"nz_source_{first.source.lower()}")
    st.caption(tr("nz_found", name=place_label(first, tr), source=source))
    if len(found) > 1:
        st.caption(tr("nz_other_matches", names=tr.join(place_label(p, tr) for p in found[1:])))
    return first


def _secrets():
    try:
        return st.secrets
    except Exception:
        return None


@shared.guarded
def _set_place(name: str) -> None:
    st.session_state["w_nz_place"] = name
    st.session_state["w_nz_mode"] = "place"


def nearest_deck(
    run: Run, start: places.Place, near: pd.DataFrame, width: int, tr: i18n.For
) -> mapview.CompactDeck:
    """Rings at 100 and 300 km, the start, and the zones numbered as in the table, in a view
    that fits the start and every listed zone."""
    lons = [start.lon, *near["lon"]]
    lats = [start.lat, *near["lat"]]
    pad_lon = max(0.6, (max(lons) - min(lons)) * 0.12)
    pad_lat = max(0.5, (max(lats) - min(lats)) * 0.12)
    bounds = (min(lons) - pad_lon, min(lats) - pad_lat, max(lons) + pad_lon, max(lats) + pad_lat)
    height = 440
    lat, lon, zoom = mapview.fit(bounds, width, height, padding=24)
    zoom = min(zoom, 8.0)
    numbered = [
        {
            "p": [round(r["lon"], 4), round(r["lat"], 4)],
            "t": str(i),
            "name": tr.col(r, "name"),
            "km": f"{r['distance_km']:.1f}",
        }
        for i, r in enumerate(near.to_dict("records"), start=1)
    ]
    tooltip = tr.template("nz_tooltip")
    drawn = [
        layers.sea(),
        layers.land(),
        pdk.Layer(
            "ScatterplotLayer",
            id="rings",
            data=[
                {
                    "p": [round(start.lon, 4), round(start.lat, 4)],
                    "r": km * 1000,
                    "c": list(colors.BANDS[km]),
                }
                for km in (300, 100)
            ],
            get_position="p",
            get_radius="r",
            filled=False,
            stroked=True,
            get_line_color="c",
            line_width_min_pixels=2,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="origin",
            data=[{"p": [round(start.lon, 4), round(start.lat, 4)]}],
            get_position="p",
            get_fill_color=list(colors.SELECTED),
            radius_units='"pixels"',
            get_radius=6,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=2,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="zones",
            data=numbered,
            get_position="p",
            radius_units='"pixels"',
            get_radius=10,
            get_fill_color=list(colors.NEW),
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1.5,
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer",
            id="numbers",
            data=numbered,
            get_position="p",
            get_text="t",
            get_size=12,
            get_color=[255, 255, 255],
            font_weight=700,
            get_alignment_baseline='"center"',
            font_family='"Noto Sans, Helvetica, Arial, sans-serif"',
        ),
    ]
    return mapview.CompactDeck(
        layers=drawn,
        initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom, min_zoom=2),
        map_provider=None,
        tooltip={"html": tooltip, "style": {"fontSize": "12px"}},
    )


def chooser(run: Run) -> State:
    """City or place, and how many zones: seeded from the URL, held to its rules."""
    ds, tr, state = run.ds, run.tr, run.state
    shared.seed(
        {
            "w_nz_mode": ("place", "place" if state.place else "city"),
            "w_nz_city": ("city", state.city),
            "w_nz_place": ("place", state.place),
            "w_nz_k": ("k", state.k),
        }
    )
    c1, c2, c3 = st.columns([1, 2, 1])
    mode = c1.radio(
        tr("nz_mode"),
        ["city", "place"],
        format_func=lambda m: tr.text("nz_mode_city" if m == "city" else "nz_mode_place"),
        key="w_nz_mode",
    )
    labels = _city_labels(ds, tr.lang)
    if st.session_state.get("w_nz_city") not in labels:
        st.session_state["w_nz_city"] = None
    if mode == "city":
        city = c2.selectbox(
            tr("nz_city"),
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            placeholder=tr.text("nz_city_placeholder"),
            key="w_nz_city",
        )
        place = ""
    else:
        place = c2.text_input(
            tr("nz_place"),
            max_chars=MAX_PLACE,
            placeholder=tr.text("nz_place_placeholder"),
            key="w_nz_place",
        ).strip()
        city = state.city
    c3.slider(tr("nz_k"), min_value=K_RANGE[0], max_value=K_RANGE[1], key="w_nz_k")
    candidate = replace(state, city=city, place=place, k=int(st.session_state["w_nz_k"]))
    return shared.accept(candidate, run.ctx)


@shared.per_view(16)
def coverage(run: Run, lang: str) -> None:
    """How much of China lies near a zone after each batch: per data version and language,
    drawn once and replayed."""
    ds, tr = run.ds, i18n.tr(lang)
    st.subheader(tr("nz_coverage"), anchor=False)
    cov = _coverage(ds)
    st.caption(tr("nz_coverage_caption", n=len(ds.prefectures)))
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"].dt.year, strict=True))
    within = {km: tr.text("nz_within", km=km) for km in colors.BANDS}
    values = [
        {
            "x": tr.text("rp_batch_col", batch=int(r.batch), year=year[r.batch]),
            "order": int(r.batch),
            "series": within[int(r.threshold_km)],
            "share": float(r.share),
            "n": int(r.cities_within),
        }
        for r in cov.itertuples()
    ]
    spec = charts.share_lines(
        values,
        domain=list(within.values()),
        palette=[colors.hex_(c) for c in colors.BANDS.values()],
        tooltip=[("series", " ", None), ("x", tr.text("c_batch"), None),
                 ("share", tr.text("s_share"), ".1%"), ("n", tr.text("nz_cities"), None)],
        x_title=tr.text("nz_after_batch"),
        label_limit=90,
    )  # fmt: skip
    st.vega_lite_chart(spec, height=260)
    st.dataframe(
        nearest.coverage_table(cov)
        .rename(index=lambda b: tr.text("rp_batch_col", batch=b, year=year[b]))
        .rename(columns=lambda km: within[km])
        .rename_axis(index=tr.text("c_batch"), columns=None),
        column_config={v: st.column_config.NumberColumn(format="%.1f%%") for v in within.values()},
    )


def page(run: Run) -> None:
    tr = run.tr
    st.header(tr("nz_title"), anchor=False)
    st.write(tr("nz_intro"))
    state = chooser(run)
    shared.save(run, state)
    start = origin(run, state)
    if start is None and not state.place:  # nothing chosen yet: an example, not an empty page
        start = _city(run.ds, EXAMPLE_CITY)
        st.caption(tr("nz_example", name=place_label(start, tr)))
    if start is not None:
        width = probe.map_probe("nz_probe")
        deck, table = _answer(run, start, state.k, width, tr.lang)
        with st.container(key=probe.map_block("nz_probe")):
            st.pydeck_chart(deck, key="nz_map", width=width, height=440)
        st.caption(tr("nz_rings"))
        st.dataframe(
            table,
            hide_index=True,
            key="nz_table",
            column_config={tr.text("nz_km"): st.column_config.NumberColumn(format="%.1f")},
        )
    coverage(run, tr.lang)


@shared.per_view(256)
def _answer(
    run: Run, start: places.Place, k: int, width: int, lang: str
) -> tuple[mapview.CompactDeck, pd.DataFrame]:
    """The nearest zones to a start, as a map and a table; kept per start, count, map width
    and language (a rerun that changes none of them computes nothing)."""
    tr = i18n.tr(lang)
    near = nearest.nearest(data.active_on(run.ds.zones, run.today), start.lat, start.lon, k=k)
    table = pd.DataFrame(
        {
            tr.text("nz_rank"): range(1, len(near) + 1),
            tr.text("c_name"): tr.col(near, "name").to_numpy(),
            tr.text("c_province"): tr.col(near, "province").to_numpy(),
            tr.text("c_batch"): near["batch"].to_numpy(),
            tr.text("nz_km"): near["distance_km"].round(1).to_numpy(),
        }
    )
    return nearest_deck(run, start, near, width, tr), table
