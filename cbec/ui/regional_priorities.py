"""The regional priorities page: regions by batch, the priority share over time, a province
choropleth with its zones, first zones, and the July 2018 claims checked. Layout only; the
numbers come from cbec.priorities."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import data, filters, i18n, mapview, priorities
from cbec.data import REGIONS, Dataset
from cbec.filters import FIRST_DAY
from cbec.ui import shared

# Sequential, colour-blind-safe (ColorBrewer YlGnBu); the first is "no zone".
CHORO = [
    [235, 235, 235, 255],
    [199, 233, 180, 255],
    [127, 205, 187, 255],
    [65, 182, 196, 255],
    [29, 145, 192, 255],
    [34, 94, 168, 255],
    [12, 44, 132, 255],
]


@st.cache_resource(show_spinner=False)
def _shapes(data_dir: str) -> dict:
    with open(data.PROVINCE_SHAPES_COARSE, encoding="utf-8") as fh:
        return json.load(fh)


def _label_point(geometry: dict) -> list[float]:
    """A point to put a province's circle on: the mean vertex of its largest ring."""
    rings = [poly[0] for poly in geometry["coordinates"]]
    ring = max(rings, key=len)
    xs, ys = zip(*ring, strict=True)
    return [round(sum(xs) / len(xs), 2), round(sum(ys) / len(ys), 2)]


@st.cache_resource(show_spinner=False, max_entries=64)
def _choropleth(data_dir: str, day: dt.date, lang: str, _counts: pd.DataFrame):
    shapes = _shapes(data_dir)
    counts = dict(zip(_counts["adcode"], _counts["zones"], strict=True))
    colors = priorities.share_colors(np.array(list(counts.values())), CHORO)
    color_of = dict(zip(counts, colors, strict=True))
    name = "name_zh" if lang == "zh" else "name_en"
    features, points = [], []
    for f in shapes["features"]:
        code = f["properties"]["adcode"]
        n = counts.get(code)
        props = {"name": f["properties"][name], "n": "–" if n is None else str(n)}
        props["fill"] = color_of.get(code, [250, 250, 250, 255])
        features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
        if n is not None:
            points.append(
                {"adcode": code, "name": props["name"], "n": n, "p": _label_point(f["geometry"])}
            )
    deck = mapview.CompactDeck(
        layers=[
            pdk.Layer(
                "GeoJsonLayer",
                id="choropleth",
                data={"type": "FeatureCollection", "features": features},
                get_fill_color="properties.fill",
                get_line_color=[255, 255, 255],
                line_width_min_pixels=1,
                pickable=True,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                id="province-points",
                data=points,
                get_position="p",
                get_radius="3 + n",
                radius_units='"pixels"',
                get_fill_color=[200, 0, 60, 160],
                get_line_color=[255, 255, 255],
                stroked=True,
                line_width_min_pixels=1,
                pickable=True,
            ),
        ],
        initial_view_state=mapview.CHINA_VIEW,
        map_provider=None,
        tooltip={"html": "<b>{name}</b> {n}", "style": {"fontSize": "12px"}},
    )
    return deck


def _legend(counts: pd.DataFrame, lang: str) -> None:
    top = max(int(counts["zones"].max()), 1)
    steps = len(CHORO) - 1
    items = [(CHORO[0], i18n.t(lang, "rp_legend_none"))]
    for i in range(steps):
        lo, hi = i * top // steps + 1, (i + 1) * top // steps
        if lo <= hi:
            items.append((CHORO[1 + i], i18n.t(lang, "rp_legend_bin", lo=lo, hi=hi)))
    swatch = (
        '<span style="display:inline-flex;align-items:center;gap:.3em;margin-right:1em">'
        '<span style="width:1em;height:1em;background:rgb({r},{g},{b})"></span>{label}</span>'
    )
    st.html(
        "".join(
            swatch.format(r=c[0], g=c[1], b=c[2], label=html.escape(label)) for c, label in items
        )
    )


def page(today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    ds: Dataset = shared.dataset()
    state = shared.state()
    lang = state.lang
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    zones, batches = ds.zones, ds.batches
    year = dict(zip(batches["batch"], batches["approved_on"].dt.year, strict=True))

    st.header(t("rp_title"), anchor=False)
    st.write(t("rp_intro"))

    counts, shares = priorities.region_by_batch(zones, batches)
    col_names = {b: t("rp_batch_col", batch=b, year=year[b]) for b in year} | {"all": t("rp_all")}
    rows = [i18n.region(lang, r) for r in REGIONS]
    c1, c2 = st.columns(2)
    c1.subheader(t("rp_counts"), anchor=False)
    c1.dataframe(counts.rename(columns=col_names).set_axis(rows), key="rp_counts")
    c2.subheader(t("rp_shares"), anchor=False)
    c2.dataframe(
        (shares * 100).round(1).rename(columns=col_names).set_axis(rows),
        key="rp_shares",
        column_config={
            c: st.column_config.NumberColumn(format="%.1f%%") for c in col_names.values()
        },
    )

    trend = priorities.priority_over_time(zones, batches)
    st.subheader(t("rp_trend"), anchor=False)
    series = [
        {"batch": t("rp_batch_col", batch=int(r.batch), year=year[r.batch]), "order": int(r.batch),
         "series": label, "share": float(v)}
        for r in trend.itertuples()
        for label, v in ((t("rp_series_batch"), r.share), (t("rp_series_cum"), r.cum_share))
    ]  # fmt: skip
    st.vega_lite_chart(
        {
            "data": {"values": series},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "batch", "type": "ordinal", "sort": {"field": "order"},
                      "title": None, "axis": {"labelAngle": 0}},
                "y": {"field": "share", "type": "quantitative", "title": t("rp_share_axis"),
                      "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
                "color": {"field": "series", "type": "nominal", "title": None},
                "tooltip": [{"field": "series"}, {"field": "batch"},
                            {"field": "share", "format": ".1%"}],
            },
        },
        height=260,
        key="rp_trend_chart",
    )  # fmt: skip

    # --- choropleth ---------------------------------------------------------------------------
    st.subheader(t("rp_map"), anchor=False)
    st.caption(t("rp_map_caption"))
    st.session_state.setdefault("w_rp_date", state.filters.day(today))
    day = st.slider(
        t("rp_date"), min_value=FIRST_DAY, max_value=today, format="YYYY-MM-DD", key="w_rp_date"
    )
    shared.save(replace(state, filters=replace(state.filters, as_of=None if day == today else day)))
    per = priorities.per_province(zones, ds.provinces, day)
    event = st.pydeck_chart(
        _choropleth(str(data.data_dir()), day, lang, per),
        key="rp_map",
        on_select="rerun",
        selection_mode="single-object",
        height=480,
    )
    _legend(per, lang)
    picked = None
    for layer in ("province-points", "choropleth"):
        objects = event.selection.objects.get(layer, []) if event else []
        if objects:
            picked = objects[0].get("adcode") or None
    prov_col = "province_zh" if lang == "zh" else "province_en"
    names = dict(zip(per["adcode"], per[prov_col], strict=True))
    if picked in names and st.session_state.get("_rp_last_pick") != picked:
        st.session_state["_rp_last_pick"] = picked
        st.session_state["w_rp_province"] = picked
    code = st.selectbox(
        t("rp_pick_province"), list(names), format_func=names.get, key="w_rp_province"
    )
    active = filters.apply(zones, filters.Filters(batches=tuple(year), as_of=day), today)
    mine = active[active["province_en"] == per.set_index("adcode").loc[code, "province_en"]]
    heading = t("rp_province_zones", province=names[code], n=len(mine), date=i18n.date(lang, day))
    st.markdown(f"**{i18n.escape_md(heading)}**")
    name = i18n.name_col(lang)
    lines = [
        f"- {i18n.escape_md(r[name])} — "
        + t("d_batch", batch=r["batch"], year=r["approved_on"].year)
        for _, r in mine.sort_values(["batch", "name_en"]).iterrows()
    ]
    if lines:
        st.markdown("\n".join(lines))

    # --- first zones and provinces without ----------------------------------------------------
    st.subheader(t("rp_first"), anchor=False)
    first = priorities.first_zones(zones, ds.provinces)
    st.dataframe(
        pd.DataFrame(
            {
                t("c_province"): first[prov_col],
                t("c_region"): [i18n.region(lang, r) for r in first["region_en"]],
                t("rp_first_on"): first["first_on"].dt.date,
                t("c_batch"): first["batch"],
                t("rp_first_zones"): first["zones_zh" if lang == "zh" else "zones_en"],
            }
        ),
        hide_index=True,
        key="rp_first",
    )
    none = per[per["zones"] == 0]
    st.markdown(f"**{t('rp_none', date=i18n.date(lang, day))}**")
    if none.empty:
        st.write(t("rp_none_all"))
    else:
        st.write(("、" if lang == "zh" else ", ").join(none[prov_col]))

    # --- the July 2018 claims -----------------------------------------------------------------
    st.subheader(t("rp_claims"), anchor=False)
    st.caption(t("rp_claims_caption"))
    claims = priorities.july_2018_claims(zones)
    st.dataframe(
        pd.DataFrame(
            {
                t("claim_col"): [t(c.key) for c in claims],
                t("claim_said"): [c.claimed for c in claims],
                t("claim_found"): [c.found for c in claims],
                t("claim_holds"): [
                    ("✓ " + t("yes")) if c.holds else ("✗ " + t("no")) for c in claims
                ],
            }
        ),
        hide_index=True,
        key="rp_claims",
    )
