"""The nearest-zone page: a starting point from the city list or a typed place name, the k
nearest zones on a map with 100 km and 300 km rings and in a table, and how much of China lies
near a zone after each batch. Layout only; the work is in cbec.places and cbec.nearest."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import data, filters, i18n, mapview, nearest, places
from cbec.data import Dataset
from cbec.geocoders import GeocodeError
from cbec.ui import shared
from cbec.urlstate import K_RANGE, MAX_PLACE, NearestQuery

DEFAULT_CITY = "110000"  # Beijing, until the user picks


@st.cache_resource(show_spinner=False, ttl=300)
def _online(domain: str) -> bool:
    """Whether Nominatim (at `domain`) answers, asked at most every five minutes."""
    return places.online_available()


@st.cache_data(show_spinner=False, ttl=3600, max_entries=256)
def _find_online(query: str, domain: str) -> list[places.Place]:
    return places.find_online(query)


@st.cache_resource(show_spinner=False, max_entries=4)
def _coverage(data_dir: str, today: dt.date, _ds: Dataset, _cities: pd.DataFrame):
    steps = [
        (int(b), d.date())
        for b, d in zip(_ds.batches["batch"], _ds.batches["approved_on"], strict=True)
    ]
    t0 = time.perf_counter()
    cov = nearest.coverage(_cities, _ds.zones, steps)
    return cov, time.perf_counter() - t0


def _label(row, lang: str) -> str:
    prov = row.province_zh if lang == "zh" else row.province_en
    return f"{row.name_zh} · {row.name_en} ({prov})" if row.name_en else f"{row.name_zh} ({prov})"


def _origin(nq: NearestQuery, prefectures, gaz_places, lang: str) -> places.Place | None:
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    if nq.city:
        r = prefectures.set_index("adcode").loc[nq.city]
        return places.Place(
            r["name_en"], r["name_zh"], r["province_en"], r["lat"], r["lon"], "prefecture"
        )
    if not nq.place:
        return None
    found: list[places.Place] = []
    domain = places.nominatim_domain()[0]
    online = _online(domain)
    if online:
        try:
            found = _find_online(nq.place, domain)
        except GeocodeError as exc:
            st.warning(t("nz_online_failed", why=str(exc)[:120]))
    if not found:
        found = places.find_offline(nq.place, prefectures, gaz_places)
    if not found:
        where = t("nz_where_online") if online else t("nz_where_offline")
        st.info(t("nz_no_match", q=nq.place, where=where))
        return None
    first = found[0]
    name = " · ".join(n for n in (first.name_zh, first.name_en) if n)
    st.caption(t("nz_found", name=name, source=first.source))
    if len(found) > 1:
        others = ", ".join(" · ".join(n for n in (p.name_zh, p.name_en) if n) for p in found[1:])
        st.caption(t("nz_other_matches", names=others))
    return first


def page(today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    ds = shared.dataset()
    state = shared.state()
    lang = state.lang
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    prefectures, gaz_places = shared.gazetteer()

    st.header(t("nz_title"), anchor=False)
    st.write(t("nz_intro"))
    nq = state.nearest
    st.session_state.setdefault("w_nz_mode", "place" if nq.place else "city")
    st.session_state.setdefault("w_nz_city", nq.city or DEFAULT_CITY)
    st.session_state.setdefault("w_nz_place", nq.place)
    st.session_state.setdefault("w_nz_k", nq.k)

    c1, c2, c3 = st.columns([1, 2, 1])
    mode = c1.radio(
        t("nz_mode"),
        ["city", "place"],
        format_func=lambda m: t("nz_mode_city" if m == "city" else "nz_mode_place"),
        key="w_nz_mode",
    )
    labels = {r.adcode: _label(r, lang) for r in prefectures.itertuples(index=False)}
    if mode == "city":
        city = c2.selectbox(t("nz_city"), list(labels), format_func=labels.get, key="w_nz_city")
        nq = NearestQuery(city=city, k=st.session_state["w_nz_k"])
    else:
        place = c2.text_input(
            t("nz_place"),
            max_chars=MAX_PLACE,
            placeholder=t("nz_place_placeholder"),
            key="w_nz_place",
        )
        nq = NearestQuery(place=place.strip(), k=st.session_state["w_nz_k"])
    c3.slider(t("nz_k"), min_value=K_RANGE[0], max_value=K_RANGE[1], key="w_nz_k")
    nq = replace(nq, k=st.session_state["w_nz_k"])
    shared.save(replace(state, nearest=nq))

    origin = _origin(nq, prefectures, gaz_places, lang)
    if origin is not None:
        all_batches = tuple(int(b) for b in ds.batches["batch"])
        active = filters.apply(ds.zones, filters.Filters(batches=all_batches), today)
        near = nearest.nearest(active, origin.lat, origin.lon, k=nq.k)
        view = pdk.ViewState(latitude=origin.lat, longitude=origin.lon, zoom=5, min_zoom=2)
        st.pydeck_chart(
            mapview.deck(near, lang, under=mapview.rings(origin.lat, origin.lon), view=view),
            key="nz_map",
            height=460,
        )
        st.caption(t("nz_rings"))
        name = i18n.name_col(lang)
        prov = "province_zh" if lang == "zh" else "province_en"
        st.dataframe(
            pd.DataFrame(
                {
                    t("nz_rank"): range(1, len(near) + 1),
                    t("c_name_en" if lang == "en" else "c_name_zh"): near[name].to_numpy(),
                    t("c_province"): near[prov].to_numpy(),
                    t("c_batch"): near["batch"].to_numpy(),
                    t("nz_km"): near["distance_km"].round(1).to_numpy(),
                }
            ),
            hide_index=True,
            key="nz_table",
        )

    st.subheader(t("nz_coverage"), anchor=False)
    cov, seconds = _coverage(str(data.data_dir()), today, ds, prefectures)
    st.caption(t("nz_coverage_caption", n=len(prefectures), s=seconds))
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"].dt.year, strict=True))
    values = [
        {
            "batch": t("rp_batch_col", batch=int(r.batch), year=year[r.batch]),
            "order": int(r.batch),
            "within": t("nz_within", km=int(r.threshold_km)),
            "share": float(r.share),
        }
        for r in cov.itertuples()
    ]
    st.vega_lite_chart(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "batch", "type": "ordinal", "sort": {"field": "order"},
                      "title": t("nz_after_batch"), "axis": {"labelAngle": 0}},
                "y": {"field": "share", "type": "quantitative", "axis": {"format": ".0%"},
                      "scale": {"domain": [0, 1]}, "title": None},
                "color": {"field": "within", "type": "nominal", "title": None},
                "tooltip": [{"field": "within"}, {"field": "batch"},
                            {"field": "share", "format": ".1%"}],
            },
        },
        height=260,
        key="nz_coverage_chart",
    )  # fmt: skip
    table = cov.pivot(index="batch", columns="threshold_km", values="share")
    st.dataframe(
        (table * 100)
        .round(1)
        .rename(index=lambda b: t("rp_batch_col", batch=b, year=year[b]))
        .rename(columns=lambda km: t("nz_within", km=km)),
        key="nz_coverage_table",
        column_config={
            t("nz_within", km=km): st.column_config.NumberColumn(format="%.1f%%")
            for km in (100, 200, 300)
        },
    )
