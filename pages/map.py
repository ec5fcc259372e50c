"""The map page: zones by batch on a map of China, filters, regional summary, table, downloads."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from cbec import export, filters, i18n, mapview, nearest, summary, text, ui
from cbec.filters import FIRST_DAY, Filters

today = dt.date.today()
ds = ui.dataset()
state = ui.state()
lang = state.lang
zones, batches = ds.zones, ds.batches
ALL = tuple(int(b) for b in batches["batch"])
name = i18n.name_col(lang)
prov_col = "province_zh" if lang == "zh" else "province_en"

# --- widget state, seeded once from the URL state ---------------------------------------------
f0 = state.filters
for key, value in {
    "w_batch": list(f0.batches),
    "w_region": list(f0.regions),
    "w_province": list(f0.provinces),
    "w_q": f0.q,
    "w_date": f0.day(today),
    "w_basemap": f0.basemap,
}.items():
    st.session_state.setdefault(key, value)


def reset() -> None:
    d = Filters()
    st.session_state.update(
        w_batch=list(d.batches), w_region=[], w_province=[], w_q="", w_date=today, w_basemap=False
    )
    ui.save(replace(ui.state(), filters=d))


def all_batches() -> None:
    st.session_state["w_batch"] = list(ALL)


# --- sidebar: filters -------------------------------------------------------------------------
sb = st.sidebar
sb.header(i18n.t(lang, "filters"))
count = batches.set_index("batch")["count"]
year = batches.set_index("batch")["approved_on"].dt.year
sb.multiselect(
    i18n.t(lang, "f_batch"),
    ALL,
    format_func=lambda b: i18n.t(lang, "f_batch_option", batch=b, year=year[b], count=count[b]),
    key="w_batch",
)
sb.button(i18n.t(lang, "f_all_batches"), on_click=all_batches, width="stretch")
sb.caption(i18n.t(lang, "default_view_note"))
regions = list(i18n.REGION_ZH)
sb.multiselect(
    i18n.t(lang, "f_region"),
    regions,
    format_func=lambda r: i18n.region(lang, r),
    placeholder=i18n.t(lang, "f_region_placeholder"),
    key="w_region",
)
provs = ds.provinces
if st.session_state["w_region"]:
    provs = provs[provs["region_en"].isin(st.session_state["w_region"])]
prov_names = dict(zip(provs["province_en"], provs[prov_col], strict=True))
st.session_state["w_province"] = [p for p in st.session_state["w_province"] if p in prov_names]
sb.multiselect(
    i18n.t(lang, "f_province"),
    list(prov_names),
    format_func=prov_names.get,
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
sb.button(i18n.t(lang, "f_reset"), on_click=reset, width="stretch")

# --- the selected zone: a new click on the map wins, else the URL's ---------------------------
zone = f0.zone
picked = mapview.picked_zone(st.session_state.get("zone_map"))
if picked != st.session_state.get("_last_pick"):
    st.session_state["_last_pick"] = picked
    zone = picked
if st.session_state.pop("_clear_zone", False):
    zone = None

f = Filters(
    batches=tuple(sorted(st.session_state["w_batch"])),
    regions=tuple(st.session_state["w_region"]),
    provinces=tuple(st.session_state["w_province"]),
    q=st.session_state["w_q"],
    as_of=None if st.session_state["w_date"] == today else st.session_state["w_date"],
    zone=zone,
    basemap=st.session_state["w_basemap"],
)
ui.save(replace(state, filters=f))
day = f.day(today)
view = filters.apply(zones, f, today)
active = filters.apply(zones, Filters(batches=ALL, as_of=day), today)  # for "nearest"

# --- header -----------------------------------------------------------------------------------
st.write(i18n.t(lang, "intro"))
m = st.columns(4)
m[0].metric(i18n.t(lang, "m_zones"), len(view))
m[1].metric(
    i18n.t(lang, "m_provinces"), i18n.t(lang, "m_provinces_value", n=view["province_en"].nunique())
)
m[2].metric(
    i18n.t(lang, "m_priority"),
    i18n.pct(lang, view["priority_region"].mean()) if len(view) else "–",
    help=i18n.t(lang, "m_priority_help"),
)
m[3].metric(
    i18n.t(lang, "m_newest"), i18n.date(lang, view["approved_on"].max()) if len(view) else "–"
)

# --- map, legend and details ------------------------------------------------------------------
selected = zones.set_index("zone_id").loc[zone] if zone in set(zones["zone_id"]) else None
map_col, side_col = st.columns([3, 1])
with map_col:
    if view.empty:
        st.info(i18n.t(lang, "no_zones"))
    st.pydeck_chart(
        mapview.deck(view, lang, selected=selected, basemap=f.basemap),
        key="zone_map",
        on_select="rerun",
        selection_mode="single-object",
        height=560,
    )
with side_col:
    legend = mapview.legend(view, batches)
    legend["label"] = [
        i18n.t(lang, "legend_row", batch=r.batch, year=r.year, count=r.count)
        for r in legend.itertuples()
    ]
    legend["swatch"] = ""
    st.dataframe(
        legend[["swatch", "label", "color"]].style.apply(
            lambda _: [f"background-color: {c}" for c in legend["color"]], subset=["swatch"]
        ),
        hide_index=True,
        column_order=["swatch", "label"],
        column_config={
            "swatch": st.column_config.TextColumn("", width=28),
            "label": i18n.t(lang, "legend"),
        },
        key="legend",
    )
    if (view["precision"] != "seat").any():
        st.caption(i18n.t(lang, "legend_approx"))

    st.markdown(f"**{i18n.t(lang, 'details')}**")
    if selected is None:
        st.caption(i18n.t(lang, "details_hint"))
    else:
        z = selected
        st.subheader(f"{z['name_zh']} · {z['name_en']}", anchor=False)
        st.caption(i18n.t(lang, "d_batch", batch=z["batch"], year=z["approved_on"].year))
        facts = {
            "d_province": z[prov_col],
            "d_region": i18n.region(lang, z["region_en"]),
            "d_level": i18n.level(lang, z["admin_level"]),
            "d_approved": i18n.date(lang, z["approved_on"]),
            "d_document": z["document_no"],
            "d_confidence": i18n.confidence(lang, z["confidence"]),
        }
        st.markdown(
            "\n".join(f"- {i18n.t(lang, k)}: {text.escape_md(str(v))}" for k, v in facts.items())
        )
        revoked = z["revoked_on"]
        if revoked == revoked and revoked.date() <= day:  # not NaT, and withdrawn by then
            st.warning(i18n.t(lang, "d_withdrawn", date=i18n.date(lang, revoked), note=z["note"]))
        elif z["note"]:
            st.caption(f"{i18n.t(lang, 'd_note')}: {z['note']}")
        if zone not in set(view["zone_id"]):
            st.caption(i18n.t(lang, "d_not_in_view"))
        if z["precision"] != "seat":
            st.caption(i18n.t(lang, "d_point_area"))
        links = text.sources(z["source_url"])
        if links:
            st.markdown(
                f"{i18n.t(lang, 'd_sources')}: " + " · ".join(text.md_link(u) for u in links)
            )
        near = nearest.nearest(active, z["lat"], z["lon"], k=3, exclude=zone)
        st.markdown(f"**{i18n.t(lang, 'd_nearest')}**")
        st.markdown(
            "\n".join(
                f"- {text.escape_md(r[name])} ({i18n.t(lang, 'd_km', km=r['distance_km'])})"
                for _, r in near.iterrows()
            )
        )
        if st.button(i18n.t(lang, "d_clear")):
            st.session_state["_clear_zone"] = True
            st.rerun()

# --- regional priorities summary --------------------------------------------------------------
st.header(i18n.t(lang, "summary"), anchor=False)
st.caption(i18n.t(lang, "summary_caption"))
approved = filters.approved_by(zones, f, today)


def group_label(key: str) -> str:
    if key == "2015":
        return i18n.t(lang, "group_2015")
    return i18n.t(lang, "group_batch", batch=key, year=year[int(key)])


pri = summary.priority(approved, f.batches)
if len(pri):
    for i, r in pri.iterrows():
        if i % 4 == 0:
            cols = st.columns(4)
        delta = None if r["delta_pp"] != r["delta_pp"] else i18n.t(lang, "s_pp", pp=r["delta_pp"])
        cols[i % 4].metric(
            i18n.t(lang, "s_priority_share", group=group_label(r["group"])),
            i18n.pct(lang, r["share"]),
            delta=delta,
            help=i18n.t(lang, "s_delta_help"),
        )
    comp = summary.composition(approved, f.batches)
    comp["group_label"] = comp["group"].map(group_label)
    comp["region"] = comp["region_en"].map(lambda r: i18n.region(lang, r))
    chart_col, table_col = st.columns([3, 2])
    chart_col.vega_lite_chart(
        comp,
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": {
                    "field": "group_label",
                    "type": "nominal",
                    "sort": None,
                    "title": None,
                    "axis": {"labelAngle": 0},
                },
                "y": {"field": "count", "type": "quantitative", "title": i18n.t(lang, "s_count")},
                "color": {
                    "field": "region",
                    "type": "nominal",
                    "sort": [i18n.region(lang, r) for r in regions],
                    "title": i18n.t(lang, "s_region"),
                },
                "tooltip": [
                    {"field": "group_label", "title": i18n.t(lang, "s_group")},
                    {"field": "region", "title": i18n.t(lang, "s_region")},
                    {"field": "count", "title": i18n.t(lang, "s_count")},
                    {"field": "share", "format": ".1%", "title": i18n.t(lang, "s_share")},
                ],
            },
        },
        height=260,
        key="summary_chart",
    )
    table = comp.pivot(index="region", columns="group_label", values="count").reindex(
        [i18n.region(lang, r) for r in regions]
    )[[group_label(g) for g in pri["group"]]]
    table.index.name = i18n.t(lang, "s_region")
    table.columns.name = None
    table.loc[i18n.t(lang, "s_priority")] = pri["priority"].to_numpy()
    table.loc[i18n.t(lang, "s_total")] = pri["zones"].to_numpy()
    table_col.dataframe(table, key="summary_table")
    with st.expander(i18n.t(lang, "s_batch_summary")):
        col = "summary_zh" if lang == "zh" else "summary"
        for b in batches[batches["batch"].isin(f.batches)].itertuples():
            st.markdown(f"**{group_label(str(b.batch))}** — {text.escape_md(getattr(b, col))}")

# --- the table and its downloads --------------------------------------------------------------
st.header(i18n.t(lang, "table"), anchor=False)
table = view.assign(source=view["source_url"].map(lambda s: (text.sources(s) or [None])[0]))
st.dataframe(
    table[
        ["name_en", "name_zh", prov_col, "region_en", "batch", "approved_on", "document_no",
         "confidence", "source"]
    ].assign(
        region_en=table["region_en"].map(lambda r: i18n.region(lang, r)),
        confidence=table["confidence"].map(lambda c: i18n.confidence(lang, c)),
    ),
    hide_index=True,
    key="zone_table",
    column_config={
        "name_en": i18n.t(lang, "c_name_en"),
        "name_zh": i18n.t(lang, "c_name_zh"),
        prov_col: i18n.t(lang, "c_province"),
        "region_en": i18n.t(lang, "c_region"),
        "batch": st.column_config.NumberColumn(i18n.t(lang, "c_batch"), format="%d"),
        "approved_on": st.column_config.DateColumn(i18n.t(lang, "c_approved"), format="YYYY-MM-DD"),
        "document_no": i18n.t(lang, "c_document"),
        "confidence": i18n.t(lang, "c_confidence"),
        "source": st.column_config.LinkColumn(
            i18n.t(lang, "c_source"), display_text=i18n.t(lang, "c_source_link")
        ),
    },
)  # fmt: skip
d1, d2, _ = st.columns([1, 1, 4])
d1.download_button(
    i18n.t(lang, "download_csv"),
    export.to_csv(view),
    file_name="cbec_pilot_zones.csv",
    mime="text/csv",
    on_click="ignore",
    key="dl_csv",
)
d2.download_button(
    i18n.t(lang, "download_geojson"),
    export.to_geojson(view),
    file_name="cbec_pilot_zones.geojson",
    mime="application/geo+json",
    on_click="ignore",
    key="dl_geojson",
)
