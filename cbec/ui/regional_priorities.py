"""The regional priorities page, answer first: did the programme lean towards the central,
western and Northeast regions, batch by batch and over time? Then the July 2018 claims checked,
the regions by batch (batches as rows, so the table fits a phone), the provinces on any date
(one colour per count, no second encoding), each province's first zone. Layout only; the
numbers come from cbec.priorities and cbec.summary."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import charts, colors, data, i18n, layers, mapview, priorities
from cbec.filters import FIRST_DAY
from cbec.ui import probe, shared
from cbec.ui.shared import Run
from cbec.urlstate import State


def answer(run: Run) -> None:
    """The sentence and the chart that answer the page's question."""
    ds, tr = run.ds, run.tr
    trend = priorities.priority_by_group(ds.zones, ds.batches)
    first, later, total = trend.iloc[0], trend.iloc[1:], trend.iloc[-1]
    st.markdown(
        "#### "
        + tr(
            "rp_answer",
            first=tr.pct(first["share"]),
            lo=tr.pct(later["share"].min(), 0),
            hi=tr.pct(later["share"].max(), 0),
            n=int(total["cum_zones"]),
            all=tr.pct(total["cum_share"]),
        )
    )
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"].dt.year, strict=True))
    label = {
        g: tr.text("rp_batch_col", batch=int(g), year=year[int(g)])
        for g in trend["group"]
        if g != "1-2"
    } | {"1-2": tr.text("rp_first_13")}
    series = {"batch": tr.text("rp_series_batch"), "cum": tr.text("rp_series_cum")}
    rows = [
        {
            "x": label[r.group],
            "order": i,
            "series": series[key],
            "share": float(v),
            "n": f"{int(getattr(r, 'priority' if key == 'batch' else 'cum_priority'))}/"
            f"{int(getattr(r, 'zones' if key == 'batch' else 'cum_zones'))}",
        }
        for i, r in enumerate(trend.itertuples())
        for key, v in (("batch", r.share), ("cum", r.cum_share))
    ]
    spec = charts.share_lines(
        rows,
        domain=[series["batch"], series["cum"]],
        palette=[colors.hex_(colors.PRIORITY_SERIES), colors.hex_(colors.CUMULATIVE_SERIES)],
        tooltip=[("series", " ", None), ("x", tr.text("c_batch"), None),
                 ("share", tr.text("s_share"), ".1%"), ("n", tr.text("rp_n"), None)],
        y_title=tr.text("rp_share_axis"),
        half_rule=True,
        stroke=2.5,
    )  # fmt: skip
    st.vega_lite_chart(spec, height=280)
    st.caption(tr("rp_trend_caption"))


def claims(run: Run) -> None:
    tr = run.tr
    st.subheader(tr("rp_claims"), anchor=False)
    st.caption(tr("rp_claims_caption"))
    found = priorities.july_2018_claims(run.ds.zones)
    st.dataframe(
        pd.DataFrame(
            {  # the verdict first: on a phone the table's first columns are the ones seen
                tr.text("claim_holds"): [
                    ("✓ " + tr.text("yes")) if c.holds else ("✗ " + tr.text("no")) for c in found
                ],
                tr.text("claim_col"): [tr.text(c.key) for c in found],
                tr.text("claim_found"): [c.found for c in found],
                tr.text("claim_said"): [c.claimed or tr.text(f"{c.key}_said") for c in found],
            }
        ),
        hide_index=True,
    )


def regions_by_batch(run: Run) -> None:
    """Batches as rows and regions as columns (four columns fit a phone), counts and shares."""
    ds, tr = run.ds, run.tr
    st.subheader(tr("rp_counts"), anchor=False)
    wide = priorities.region_table(priorities.region_by_batch(ds.zones, ds.batches))
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"].dt.year, strict=True))
    label = {str(b): tr.text("rp_batch_col", batch=b, year=y) for b, y in year.items()}
    label["all"] = tr.text("rp_all")
    names = {r: tr.region(r) for r in colors.REGION_ORDER}
    names |= {"zones": tr.text("s_total"), "share_pct": tr.text("rp_priority_share")}
    table = wide.rename(columns=names, index=lambda g: label[str(g)])
    table.index.name = tr.text("c_batch")
    st.dataframe(
        table,
        column_config={
            tr.text("rp_priority_share"): st.column_config.ProgressColumn(
                format="%.1f%%", min_value=0, max_value=100
            )
        },
    )
    st.caption(tr("rp_counts_caption"))


@shared.per_view(64)
def _choropleth(run: Run, day: dt.date, width: int, lang: str) -> mapview.CompactDeck:
    """Province shapes shaded by their count of zones on `day`: one encoding per number."""
    ds = run.ds
    per = priorities.per_province(ds.zones, ds.provinces, day)
    counts = dict(zip(per["adcode"], per["zones"], strict=True))
    bins = priorities.count_bins(per["zones"].to_numpy())
    tr = i18n.tr(lang)
    name = tr.colname("name")
    features = []
    for f in ds.province_shapes["features"]:
        code = f["properties"]["adcode"]
        n = counts.get(code)  # None: Taiwan, Hong Kong, Macao, outside the programme
        fill = [*colors.LAND, 255] if n is None else [*priorities.bin_color(n, bins), 255]
        props = {
            "adcode": code,
            "name": f["properties"][name],
            "n": "–" if n is None else str(n),
            "fill": fill,
        }
        features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    view = _view(width)
    return mapview.CompactDeck(
        layers=[
            layers.sea(),
            pdk.Layer(
                "GeoJsonLayer",
                id="choropleth",
                data={"type": "FeatureCollection", "features": features},
                get_fill_color="properties.fill",
                get_line_color=[255, 255, 255],
                line_width_min_pixels=1,
                pickable=True,
                auto_highlight=True,
            ),
            layers.south_china_sea(),
            mapview.labels_layer(ds, view.zoom, tr.data_lang),
        ],
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "html": "<b>{name}</b> {n}" + mapview.PICK_MARK.replace("{id}", "{adcode}"),
            "style": {"fontSize": "12px"},
        },
    )


def _view(width: int) -> pdk.ViewState:
    """China fitted to the map's width, as the map page fits it (the mainland, Hainan and the
    South China Sea inset)."""
    lat, lon, zoom = mapview.fit(mapview.CHINA_BOUNDS, width, mapview.height_for(width))
    return pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom, min_zoom=1.5)


def _pick(code: str, known: frozenset[str]) -> None:
    """A click or a tap on a province (before the run): a known one is chosen below the map;
    anything else is a forged message, named like a bad link value."""
    if code in known:
        st.session_state["w_rp_province"] = code
    else:
        shared.drop([f"province={code}"[:40]])


def provinces(run: Run, state: State) -> State:
    """Zones per province on a chosen day (the same "Map as of" date as the Map page), and the
    zones of the province picked on the map or in the list."""
    ds, tr, today = run.ds, run.tr, run.today
    st.subheader(tr("rp_map"), anchor=False)
    st.caption(tr("rp_map_caption"))
    shared.seed({"w_rp_date": ("date", state.day(today))})
    day = st.slider(
        tr("rp_date"),
        min_value=FIRST_DAY,
        max_value=today,
        format="YYYY-MM-DD",
        help=tr.text("rp_date_help"),
        key="w_rp_date",
    )
    state = shared.accept(replace(state, as_of=None if day == today else day), run.ctx)
    per = priorities.per_province(ds.zones, ds.provinces, day)
    names = dict(zip(per["adcode"], tr.col(per, "province"), strict=True))
    width = probe.map_probe("rp_probe", on_pick=_pick, args=(frozenset(names),))
    with st.container(key=probe.map_block("rp_probe")):
        st.pydeck_chart(
            _choropleth(run, day, width, tr.lang),
            key="rp_map",
            width=width,
            height=mapview.height_for(width),
        )
    bins = priorities.count_bins(per["zones"].to_numpy())
    items = [
        (
            b.color,
            tr.text("rp_legend_none") if b.hi == 0 else tr.text("rp_legend_bin", lo=b.lo, hi=b.hi),
        )
        for b in bins
    ] + [(colors.LAND, tr.text("rp_legend_outside"))]
    st.html(
        "".join(
            '<span style="display:inline-flex;align-items:center;gap:.3em;margin-right:1em">'
            f'<span style="width:1em;height:1em;background:{colors.hex_(c)};border:1px solid #ccc">'
            f"</span>{html.escape(label)}</span>"
            for c, label in items
        )
    )
    code = st.selectbox(
        tr("rp_pick_province"),
        list(names),
        format_func=names.__getitem__,
        index=None,
        placeholder=tr.text("rp_pick_placeholder"),
        key="w_rp_province",
    )
    if code:
        active = data.active_on(ds.zones, day)
        mine = active[active["province_en"] == per.set_index("adcode").loc[code, "province_en"]]
        st.markdown(
            f"**{tr.n('rp_province_zones', len(mine), province=names[code], date=tr.date(day))}**"
        )
        lines = [
            f"- {i18n.escape_md(tr.col(r, 'name'))} — "
            + tr("d_batch", batch=int(r["batch"]), year=r["approved_on"].year)
            for _, r in mine.sort_values(["batch", "name_en"]).iterrows()
        ]
        if lines:
            st.markdown("\n".join(lines))
    none = per[per["zones"] == 0]
    st.markdown(f"**{tr('rp_none', date=tr.date(day))}**")
    st.write(tr("rp_none_all") if none.empty else i18n.escape_md(tr.join(tr.col(none, "province"))))
    return state


def first_zones(run: Run) -> None:
    ds, tr = run.ds, run.tr
    st.subheader(tr("rp_first"), anchor=False)
    first = priorities.first_zones(ds.zones, ds.provinces)
    st.dataframe(
        pd.DataFrame(
            {
                tr.text("c_province"): tr.col(first, "province"),
                tr.text("c_region"): [tr.region(r) for r in first["region_en"]],
                tr.text("rp_first_on"): first["first_on"].dt.date,
                tr.text("c_batch"): first["batch"],
                tr.text("rp_first_zones"): tr.col(first, "zones"),
            }
        ),
        hide_index=True,
        column_config={tr.text("c_batch"): st.column_config.NumberColumn(format="%d")},
    )


@shared.per_view(16)
def _answer_and_tables(run: Run, lang: str) -> None:
    """What does not change within a data version and language (`run.tr`'s, passed for the
    key), drawn once and replayed."""
    answer(run)
    claims(run)
    regions_by_batch(run)


@shared.per_view(16)
def _first_zones(run: Run, lang: str) -> None:
    first_zones(run)


def page(run: Run) -> None:
    tr = run.tr
    st.header(tr("rp_title"), anchor=False)
    _answer_and_tables(run, tr.lang)
    state = provinces(run, run.state)
    shared.save(run, state)
    _first_zones(run, tr.lang)
