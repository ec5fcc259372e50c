"""The map page's parts, as functions: sidebar filters, header, map with legend and details,
regional summary, table with downloads. Streamlit layout only; the work is done by filters,
summary, mapview, nearest and export. Kept out of the page script so that it is compiled once
per process rather than on every rerun."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from cbec import data, filters, i18n, mapview, nearest, summary
from cbec.data import REGIONS, Dataset
from cbec.filters import FIRST_DAY, Filters
from cbec.ui import shared
from cbec.urlstate import State

WIDGETS = ("w_batch", "w_region", "w_province", "w_q", "w_date", "w_basemap")


def _widget_values(f: Filters, today: dt.date) -> dict:
    return {
        "w_batch": list(f.batches),
        "w_region": list(f.regions),
        "w_province": list(f.provinces),
        "w_q": f.q,
        "w_date": f.day(today),
        "w_basemap": f.basemap,
    }


def _reset(today: dt.date) -> None:
    st.session_state.update(_widget_values(Filters(), today))
    st.session_state["_clear_zone"] = True


def _all_batches(all_batches: tuple[int, ...]) -> None:
    st.session_state["w_batch"] = list(all_batches)


def sidebar_filters(ds: Dataset, state: State, today: dt.date) -> Filters:
    """The filter widgets, seeded from the state (URL) once; returns the chosen Filters."""
    lang, batches = state.lang, ds.batches
    for key, value in _widget_values(state.filters, today).items():
        st.session_state.setdefault(key, value)
    all_batches = tuple(int(b) for b in batches["batch"])
    count = dict(zip(batches["batch"], batches["count"], strict=True))
    year = dict(zip(batches["batch"], batches["approved_on"].dt.year, strict=True))

    sb = st.sidebar
    sb.header(i18n.t(lang, "filters"))
    sb.multiselect(
        i18n.t(lang, "f_batch"),
        all_batches,
        format_func=lambda b: i18n.t(lang, "f_batch_option", batch=b, year=year[b], count=count[b]),
        key="w_batch",
    )
    sb.button(
        i18n.t(lang, "f_all_batches"), on_click=_all_batches, args=(all_batches,), width="stretch"
    )
    sb.caption(i18n.t(lang, "default_view_note"))
    sb.multiselect(
        i18n.t(lang, "f_region"),
        REGIONS,
        format_func=lambda r: i18n.region(lang, r),
        placeholder=i18n.t(lang, "f_region_placeholder"),
        key="w_region",
    )
    provs = ds.provinces
    if st.session_state["w_region"]:
        provs = provs[provs["region_en"].isin(st.session_state["w_region"])]
    names = dict(zip(provs["province_en"], provs[_prov_col(lang)], strict=True))
    st.session_state["w_province"] = [p for p in st.session_state["w_province"] if p in names]
    sb.multiselect(
        i18n.t(lang, "f_province"),
        list(names),
        format_func=names.get,
        placeholder=i18n.t(lang, "f_province_placeholder"),
        key="w_province",
    )
    sb.text_input(
        i18n.t(lang, "f_search"),
        max_chars=filters.MAX_QUERY,
        placeholder=i18n.t(lang, "f_search_placeholder"),
        key="w_q",
    )
    sb.slider(
        i18n.t(lang, "f_date"),
        min_value=FIRST_DAY,
        max_value=today,
        format="YYYY-MM-DD",
        help=i18n.t(lang, "f_date_help"),
        key="w_date",
    )
    sb.toggle(i18n.t(lang, "f_basemap"), help=i18n.t(lang, "f_basemap_help"), key="w_basemap")
    sb.button(i18n.t(lang, "f_reset"), on_click=_reset, args=(today,), width="stretch")

    ss = st.session_state
    return Filters(
        batches=tuple(sorted(ss["w_batch"])),
        regions=tuple(ss["w_region"]),
        provinces=tuple(ss["w_province"]),
        q=ss["w_q"],
        as_of=None if ss["w_date"] == today else ss["w_date"],
        zone=_selected_zone(state.filters.zone),
        basemap=ss["w_basemap"],
    )


def _selected_zone(current: str | None) -> str | None:
    """A new click on the map wins; else the zone already chosen (or from the URL)."""
    if st.session_state.pop("_clear_zone", False):
        return None
    picked = mapview.picked_zone(st.session_state.get("zone_map"))
    if picked != st.session_state.get("_last_pick"):
        st.session_state["_last_pick"] = picked
        return picked
    return current


def _prov_col(lang: str) -> str:
    return "province_zh" if lang == "zh" else "province_en"


@st.cache_resource(show_spinner=False, max_entries=256)
def header(view_key: str, lang: str, _view: pd.DataFrame) -> None:
    """Intro and metrics; cached per view and language (Streamlit replays the elements)."""
    view = _view
    st.write(i18n.t(lang, "intro"))
    m = st.columns(4)
    m[0].metric(i18n.t(lang, "m_zones"), len(view))
    m[1].metric(
        i18n.t(lang, "m_provinces"),
        i18n.t(lang, "m_provinces_value", n=view["province_en"].nunique()),
    )
    m[2].metric(
        i18n.t(lang, "m_priority"),
        i18n.pct(lang, view["priority_region"].mean()) if len(view) else "–",
        help=i18n.t(lang, "m_priority_help"),
    )
    newest = i18n.date(lang, view["approved_on"].max()) if len(view) else "–"
    m[3].metric(i18n.t(lang, "m_newest"), newest)


def view_key(view: pd.DataFrame) -> str:
    """What identifies a view for caching: the data folder and the zones shown, as one string
    (cheap to hash, unlike a DataFrame)."""
    return f"{data.data_dir()}|{','.join(view['zone_id'])}"


def map_with_details(
    ds: Dataset, view: pd.DataFrame, view_key: str, f: Filters, lang: str, today: dt.date
):
    zones = ds.zones
    selected = zones.set_index("zone_id").loc[f.zone] if f.zone else None
    map_col, side_col = st.columns([3, 1])
    with map_col:
        if view.empty:
            st.info(i18n.t(lang, "no_zones"))
        st.pydeck_chart(
            _deck(view_key, lang, f.zone, f.basemap, view, selected),
            key="zone_map",
            on_select="rerun",
            selection_mode="single-object",
            height=560,
        )
    with side_col:
        legend(view, ds.batches, lang)
        st.markdown(f"**{i18n.t(lang, 'details')}**")
        if selected is None:
            st.caption(i18n.t(lang, "details_hint"))
        else:
            details(ds, selected, view, f, lang, today)


@st.cache_resource(show_spinner=False, max_entries=64)
def _deck(view_key: str, lang: str, zone: str | None, basemap: bool, _view, _selected):
    """The deck for this view, built and serialised once per distinct view (keyed by the view,
    language, selection and basemap), then re-sent as is."""
    return mapview.deck(_view, lang, selected=_selected, basemap=basemap)


def legend(view: pd.DataFrame, batches: pd.DataFrame, lang: str) -> None:
    """Colour swatches with batch, year and count. The HTML holds only the palette (code
    constants), numbers and catalogue strings, escaped all the same."""
    swatch = (
        '<div style="display:flex;align-items:center;gap:.5em;margin:.15em 0">'
        '<span style="width:.9em;height:.9em;border-radius:50%;border:1px solid #333;'
        'background:{color}"></span>{label}</div>'
    )
    rows = "".join(
        swatch.format(
            color=r["color"],
            label=html.escape(
                i18n.t(lang, "legend_row", batch=r["batch"], year=r["year"], count=r["count"])
            ),
        )
        for r in mapview.legend(view, batches)
    )
    st.html(f"<div><b>{html.escape(i18n.t(lang, 'legend'))}</b>{rows}</div>")
    if (view["precision"] != "seat").any():
        st.caption(i18n.t(lang, "legend_approx"))


def details(ds, z: pd.Series, view: pd.DataFrame, f: Filters, lang: str, today: dt.date):
    zone_id = z.name
    day = f.day(today)
    st.subheader(f"{z['name_zh']} · {z['name_en']}", anchor=False)
    st.caption(i18n.t(lang, "d_batch", batch=z["batch"], year=z["approved_on"].year))
    facts = {
        "d_province": z[_prov_col(lang)],
        "d_region": i18n.region(lang, z["region_en"]),
        "d_level": i18n.level(lang, z["admin_level"]),
        "d_approved": i18n.date(lang, z["approved_on"]),
        "d_document": z["document_no"],
        "d_confidence": i18n.confidence(lang, z["confidence"]),
    }
    st.markdown(
        "\n".join(f"- {i18n.t(lang, k)}: {i18n.escape_md(str(v))}" for k, v in facts.items())
    )
    revoked = z["revoked_on"]
    if pd.notna(revoked) and revoked.date() <= day:
        note = i18n.t(lang, "d_withdrawn", date=i18n.date(lang, revoked), note=z["note"])
        st.warning(i18n.escape_md(note))
    elif z["note"]:
        st.caption(i18n.escape_md(f"{i18n.t(lang, 'd_note')}: {z['note']}"))
    if zone_id not in set(view["zone_id"]):
        st.caption(i18n.t(lang, "d_not_in_view"))
    if z["precision"] != "seat":
        st.caption(i18n.t(lang, "d_point_area"))
    links = data.sources(z["source_url"])
    if links:
        st.markdown(f"{i18n.t(lang, 'd_sources')}: " + " · ".join(shared.md_link(u) for u in links))
    active = filters.apply(ds.zones, Filters(batches=tuple(ds.batches["batch"]), as_of=day), today)
    near = nearest.nearest(active, z["lat"], z["lon"], k=3, exclude=zone_id)
    name = i18n.name_col(lang)
    st.markdown(f"**{i18n.t(lang, 'd_nearest')}**")
    st.markdown(
        "\n".join(
            f"- {i18n.escape_md(r[name])} ({i18n.t(lang, 'd_km', km=r['distance_km'])})"
            for _, r in near.iterrows()
        )
    )
    if st.button(i18n.t(lang, "d_clear")):
        st.session_state["_clear_zone"] = True
        st.rerun()


def _group_label(key: str, year: dict, lang: str) -> str:
    if key == "2015":
        return i18n.t(lang, "group_2015")
    return i18n.t(lang, "group_batch", batch=key, year=year[int(key)])


@st.cache_resource(show_spinner=False, max_entries=256)
def summary_panel(
    data_dir: str, batch_ids: tuple[int, ...], day: dt.date, lang: str, _ds: Dataset
) -> None:
    """Regional composition of the chosen batches; cached per choice and language (Streamlit
    replays the elements), as it depends on nothing else."""
    st.header(i18n.t(lang, "summary"), anchor=False)
    st.caption(i18n.t(lang, "summary_caption"))
    batches = _ds.batches
    year = dict(zip(batches["batch"], batches["approved_on"].dt.year, strict=True))
    approved = filters.approved_by(_ds.zones, Filters(batches=batch_ids, as_of=day), day)
    pri = summary.priority(approved, batch_ids)
    if pri.empty:
        return
    labels = {g: _group_label(g, year, lang) for g in pri["group"]}
    for i, r in pri.iterrows():
        if i % 4 == 0:
            cols = st.columns(4)
        delta = None if pd.isna(r["delta_pp"]) else i18n.t(lang, "s_pp", pp=r["delta_pp"])
        cols[i % 4].metric(
            i18n.t(lang, "s_priority_share", group=labels[r["group"]]),
            i18n.pct(lang, r["share"]),
            delta=delta,
            help=i18n.t(lang, "s_delta_help"),
        )
    comp = summary.composition(approved, batch_ids)
    rows = [
        {**r, "group_label": labels[r["group"]], "region": i18n.region(lang, r["region_en"])}
        for r in comp.to_dict("records")
    ]
    chart_col, table_col = st.columns([3, 2])
    spec = {"data": {"values": rows}, **_stacked_bar_spec(lang)}
    chart_col.vega_lite_chart(spec, height=260)
    counts = {(r["region_en"], r["group"]): r["count"] for r in rows}
    table = {
        label: [counts[(region, g)] for region in REGIONS] + [int(p), int(z)]
        for g, label, p, z in zip(
            pri["group"], labels.values(), pri["priority"], pri["zones"], strict=False
        )
    }
    index = [i18n.region(lang, r) for r in REGIONS] + [
        i18n.t(lang, "s_priority"),
        i18n.t(lang, "s_total"),
    ]
    table_col.dataframe(pd.DataFrame(table, index=pd.Index(index, name=i18n.t(lang, "s_region"))))
    with st.expander(i18n.t(lang, "s_batch_summary")):
        col = "summary_zh" if lang == "zh" else "summary"
        for b in batches[batches["batch"].isin(batch_ids)].itertuples():
            label = _group_label(str(b.batch), year, lang)
            st.markdown(f"**{label}** — {i18n.escape_md(getattr(b, col))}")


def _stacked_bar_spec(lang: str) -> dict:
    t = lambda key: i18n.t(lang, key)  # noqa: E731
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "group_label",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "count", "type": "quantitative", "title": t("s_count")},
            "color": {
                "field": "region",
                "type": "nominal",
                "sort": [i18n.region(lang, r) for r in REGIONS],
                "title": t("s_region"),
            },
            "tooltip": [
                {"field": "group_label", "title": t("s_group")},
                {"field": "region", "title": t("s_region")},
                {"field": "count", "title": t("s_count")},
                {"field": "share", "format": ".1%", "title": t("s_share")},
            ],
        },
    }


def zone_table(view: pd.DataFrame, view_key: str, lang: str) -> None:
    _table(view_key, lang, view)
    shared.zone_downloads(view, lang, "cbec_pilot_zones", "dl")


@st.cache_resource(show_spinner=False, max_entries=256)
def _table(view_key: str, lang: str, _view: pd.DataFrame) -> None:
    """The table of the zones in view; cached per view and language (elements replayed)."""
    view = _view
    st.header(i18n.t(lang, "table"), anchor=False)
    prov = _prov_col(lang)
    shown = pd.DataFrame(
        {
            "name_en": view["name_en"],
            "name_zh": view["name_zh"],
            prov: view[prov],
            "region": [i18n.region(lang, r) for r in view["region_en"]],
            "batch": view["batch"],
            "approved_on": view["approved_on"],
            "document_no": view["document_no"],
            "confidence": [i18n.confidence(lang, c) for c in view["confidence"]],
            "source": [(data.sources(s) or [None])[0] for s in view["source_url"]],
        }
    )
    t = lambda key: i18n.t(lang, key)  # noqa: E731
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "name_en": t("c_name_en"),
            "name_zh": t("c_name_zh"),
            prov: t("c_province"),
            "region": t("c_region"),
            "batch": st.column_config.NumberColumn(t("c_batch"), format="%d"),
            "approved_on": st.column_config.DateColumn(t("c_approved"), format="YYYY-MM-DD"),
            "document_no": t("c_document"),
            "confidence": t("c_confidence"),
            "source": st.column_config.LinkColumn(t("c_source"), display_text=t("c_source_link")),
        },
    )


def page(today: dt.date | None = None) -> None:
    """The whole map page, in reading order."""
    today = today or dt.date.today()
    ds = shared.dataset()
    state = shared.state()
    f = sidebar_filters(ds, state, today)
    shared.save(replace(state, filters=f))
    view = filters.apply(ds.zones, f, today)
    header(view_key(view), state.lang, view)
    key = view_key(view)
    map_with_details(ds, view, key, f, state.lang, today)
    summary_panel(str(data.data_dir()), f.batches, f.day(today), state.lang, ds)
    zone_table(view, key, state.lang)
