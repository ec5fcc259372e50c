"""The map page: one sentence that answers the question people open it with, four numbers that
back it, the map with its legend and the selected zone's details, the regional summary, and the
table with downloads. Streamlit layout only; the work is done by filters, summary, mapview,
nearest and export."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from cbec import colors, data, filters, i18n, mapview, nearest, summary
from cbec.filters import FIRST_DAY
from cbec.ui import shared
from cbec.ui.shared import Run
from cbec.urlstate import COLOR_MODES, State

ZOOM_KEY = "_map_zoom"
TABLE_ROWS = 500  # more than every zone there is; a bound on what one rerun sends

# --- filters ------------------------------------------------------------------------------------


def _stops(ds, today: dt.date, current: dt.date) -> list[dt.date]:
    """The timeline's steps: every approval date and today, plus the day shown if it is
    another one (any day stays possible through the date box)."""
    days = {d.date() for d in ds.batches["approved_on"]} | {today, current}
    return sorted(d for d in days if FIRST_DAY <= d <= today)


def chosen(run: Run) -> State:
    """The view the filter widgets choose, read before they are drawn (so the map, which the
    visitor waits for, is sent first): seeded from the state (the URL) when it changed, held
    to the URL's rules."""
    ds, state, today = run.ds, run.state, run.today
    day = state.day(today)
    shared.seed(
        {
            "w_batch": ("batch", list(state.batches)),
            "w_region": ("region", list(state.regions)),
            "w_province": ("province", list(state.provinces)),
            "w_q": ("q", state.q),
            "w_day": ("date", day),
            "w_day_any": ("date", day),
            "w_color": ("color", state.color),
        }
    )
    ss = st.session_state
    provs = ds.provinces
    if ss["w_region"]:  # a province outside the chosen regions falls away
        provs = provs[provs["region_en"].isin(ss["w_region"])]
    ss["w_province"] = [p for p in ss["w_province"] if p in set(provs["province_en"])]
    if not isinstance(ss["w_day_any"], dt.date):
        ss["w_day_any"] = day  # the date box was emptied: keep the day shown
    stops = _stops(ds, today, ss["w_day_any"])
    if ss["w_day"] not in stops:
        ss["w_day"] = ss["w_day_any"]
    on = ss["w_day_any"]
    candidate = replace(
        state,
        batches=tuple(sorted(ss["w_batch"])),
        regions=tuple(ss["w_region"]),
        provinces=tuple(ss["w_province"]),
        q=(ss["w_q"] or "").strip(),
        as_of=None if on == today else on,
        color=ss["w_color"] or "story",
    )
    return shared.accept(candidate, run.ctx)


def sidebar(run: Run) -> None:
    """The filter widgets (their values were read by `chosen`)."""
    ds, tr, today = run.ds, run.tr, run.today
    batches = ds.batches
    all_batches = tuple(int(b) for b in batches["batch"])
    count = dict(zip(batches["batch"], batches["count"], strict=True))
    year = dict(zip(batches["batch"], batches["approved_on"].dt.year, strict=True))
    ss = st.session_state
    sb = st.sidebar
    sb.header(tr("filters"), anchor=False)
    sb.multiselect(
        tr("f_batch"),
        all_batches,
        format_func=lambda b: tr.text("f_batch_option", batch=b, year=year[b], count=count[b]),
        placeholder=tr.text("f_batch_placeholder"),
        key="w_batch",
    )
    with sb.container(horizontal=True):
        st.button(tr("f_all_batches"), on_click=_set, args=("w_batch", list(all_batches)))
        st.button(tr("f_default_batches"), on_click=_set, args=("w_batch", [1, 2, 3]))
    sb.multiselect(
        tr("f_region"),
        list(colors.REGION_ORDER),
        format_func=tr.region,
        placeholder=tr.text("f_region_placeholder"),
        key="w_region",
    )
    provs = ds.provinces
    if ss["w_region"]:
        provs = provs[provs["region_en"].isin(ss["w_region"])]
    names = dict(zip(provs["province_en"], tr.col(provs, "province"), strict=True))
    sb.multiselect(
        tr("f_province"),
        list(names),
        format_func=lambda p: names.get(p, p),
        placeholder=tr.text("f_province_placeholder"),
        key="w_province",
    )
    sb.text_input(
        tr("f_search"),
        max_chars=filters.MAX_QUERY,
        placeholder=tr.text("f_search_placeholder"),
        key="w_q",
    )
    sb.select_slider(
        tr("f_date"),
        _stops(ds, today, ss["w_day_any"]),
        format_func=lambda d: tr.text("f_date_today") if d == today else tr.month(d),
        help=tr.text("f_date_help"),
        key="w_day",
        on_change=_follow,
        args=("w_day_any", "w_day"),
    )
    sb.date_input(
        tr("f_date_any"),
        min_value=FIRST_DAY,
        max_value=today,
        format="YYYY-MM-DD",
        key="w_day_any",
        on_change=_follow,
        args=("w_day", "w_day_any"),
    )
    sb.segmented_control(
        tr("f_color"),
        COLOR_MODES,
        format_func=lambda m: tr.text(f"f_color_{m}"),
        required=True,
        key="w_color",
    )
    sb.toggle(tr("f_basemap"), help=tr.text("f_basemap_help"), key="w_basemap")
    sb.button(tr("f_reset"), on_click=_reset, args=(today,), width="stretch")


def _follow(target: str, source: str) -> None:
    """The timeline and the date box show one day: the one the visitor moved sets the other
    (a callback, so it runs before either is drawn)."""
    value = st.session_state.get(source)
    if isinstance(value, dt.date):
        st.session_state[target] = value


def _set(key: str, value) -> None:
    st.session_state[key] = value


def _reset(today: dt.date) -> None:
    st.session_state.update(
        {
            "w_batch": [1, 2, 3],
            "w_region": [],
            "w_province": [],
            "w_q": "",
            "w_day": today,
            "w_day_any": today,
            "w_color": "story",
            "w_basemap": False,
            "_clear_zone": True,
        }
    )


# --- the first screen ---------------------------------------------------------------------------


def headline_text(
    h: summary.Headline | None, tr: i18n.For, newest_on: dt.date, state: State, today: dt.date
) -> i18n.Md:
    if h is None:  # no batch chosen, or none of them approved yet by the chosen day
        return tr("hl_not_yet", date=tr.date(state.day(today))) if state.batches else tr("hl_none")
    month = tr.month(newest_on)
    if not h.n_earlier:
        return tr("hl_single", month=month, n=h.n_new, k=h.priority_new, share=tr.pct(h.share_new))
    trend = "rose" if h.delta_pp > 0.05 else "fell" if h.delta_pp < -0.05 else "same"
    return tr(
        f"hl_{trend}",
        month=month,
        n=h.n_new,
        k=h.priority_new,
        old=tr.pct(h.share_earlier),
        n_old=h.n_earlier,
        new=tr.pct(h.share_new),
    )


@st.cache_resource(show_spinner=False, max_entries=512)
def header(key: str, lang: str, _run: Run, _state: State, _view: pd.DataFrame) -> None:
    """The sentence and the four numbers; cached per view and language (Streamlit replays the
    elements on a rerun to a view seen before)."""
    ds, tr, state = _run.ds, i18n.tr(lang), _state
    day = state.day(_run.today)
    approved = filters.approved_by(ds.zones, state.filters, _run.today)
    h = summary.headline(approved, state.batches)
    newest_on = (
        ds.batches.set_index("batch").loc[h.newest, "approved_on"].date() if h else _run.today
    )
    st.markdown(f"#### {headline_text(h, tr, newest_on, state, _run.today)}")
    view = _view  # what the map colours: the batches, regions, provinces and search chosen
    withdrawn = view[view["revoked_on"].notna() & (view["revoked_on"] <= pd.Timestamp(day))]
    active = len(view) - len(withdrawn)
    with st.container(horizontal=True, gap="medium"):
        kw = {"width": "stretch", "border": True}
        if h:
            st.metric(tr("m_new", month=tr.month(newest_on)), h.n_new, **kw)
            delta = (
                None if not h.n_earlier else tr.text("m_delta", pp=tr.pp(h.delta_pp), n=h.n_earlier)
            )
            st.metric(
                tr("m_priority"),
                tr.pct(h.share_new),
                delta=delta,
                help=tr.text("m_priority_help"),
                delta_color="normal",
                **kw,
            )
        st.metric(
            tr("m_zones"),
            len(view),
            delta=tr.text("m_zones_split", active=active, withdrawn=len(withdrawn))
            if len(withdrawn)
            else None,
            delta_color="off",
            delta_arrow="off",
            **kw,
        )
        st.metric(
            tr("m_provinces"),
            tr.text("m_provinces_value", n=view["province_en"].nunique()),
            **kw,
        )


# --- the map, its legend, the details -----------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=128)
def _deck(key: str, _ds, _spec: mapview.MapSpec) -> mapview.CompactDeck:
    """The deck for this view, built and serialised once per distinct view."""
    return mapview.map_deck(_ds, _spec)


def map_and_details(run: Run, state: State, view: pd.DataFrame) -> State:
    """The map with its legend and the selected zone's details. Returns the state with the
    zone chosen by a click, the zone picker or a nearest-zone link."""
    ds, tr, today = run.ds, run.tr, run.today
    map_col, side = st.columns([3, 1], gap="medium")
    with map_col:
        width = shared.map_width("map_width")
        selected = ds.zone(state.zone) if state.zone else None
        spec = mapview.MapSpec(
            batches=state.batches,
            regions=state.regions,
            provinces=state.provinces,
            day=state.day(today),
            color=state.color,
            lang=run.tr.data_lang,
            tooltip=run.tr.template("map_tooltip"),
            width=width,
            zoom_step=st.session_state.get(ZOOM_KEY, 0),
            match_ids=tuple(view["zone_id"]) if state.q else None,
            selected=(selected["lon"], selected["lat"]) if selected is not None else None,
            # the visitor's own switch, never a link's: no stranger's URL makes a visitor's
            # browser call CARTO
            basemap=bool(st.session_state.get("w_basemap")),
            light=shared.light(),
        )
        if view.empty:
            st.info(tr("no_zones"))
        event = st.pydeck_chart(
            _deck(shared.key(run, spec), ds, spec),
            key="zone_map",
            on_select="rerun",
            selection_mode="single-object",
            height=mapview.height_for(width),
        )
        st.caption(view_caption(run, state, view))
    picked = _picked(event)
    with side:
        legend(view, state, run, spec)
        if spec.light:  # the picker and the details come with the rest of the page
            return state
        zone = zone_picker(run, state, picked)
        new = replace(state, zone=zone)
        if zone:
            details(run, new, view)
    return shared.accept(new, run.ctx)


def _picked(event) -> str | None:
    """A new click on the map (not the one already handled), or None."""
    if st.session_state.pop("_clear_zone", False):
        st.session_state["_last_pick"] = mapview.picked_zone(event)
        return ""
    picked = mapview.picked_zone(event)
    if picked != st.session_state.get("_last_pick"):
        st.session_state["_last_pick"] = picked
        return picked
    return None


def zone_picker(run: Run, state: State, picked: str | None) -> str | None:
    """The keyboard's way to every zone (a select box with search) and the selection's one
    source: a map click or a nearest-zone link moves it; the URL sets it."""
    ds, tr = run.ds, run.tr
    if picked is not None:
        st.session_state["w_zone"] = picked or None
    elif shared.url_changed("zone") or "w_zone" not in st.session_state:
        st.session_state["w_zone"] = state.zone
    if st.session_state["w_zone"] not in ds.zone_ids:
        if st.session_state["w_zone"]:
            shared.drop([f"zone={st.session_state['w_zone']}"[:40]])
        st.session_state["w_zone"] = None
    labels = _zone_labels(ds, tr.lang)
    st.selectbox(
        tr("details"),
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder=tr.text("details_placeholder"),
        key="w_zone",
    )
    return st.session_state["w_zone"]


def _zone_labels(ds, lang: str) -> dict[str, str]:
    def make() -> dict[str, str]:
        tr, z = i18n.tr(lang), ds.zones.sort_values(["name_en"])
        first, second = tr.col(z, "name"), z[tr.other_colname("name")]
        return dict(
            zip(
                z["zone_id"],
                [f"{a} · {b}" for a, b in zip(first, second, strict=True)],
                strict=True,
            )
        )

    return ds.derived(("zone_labels", lang), make)


def view_caption(run: Run, state: State, view: pd.DataFrame) -> i18n.Md:
    """What the map shows now, in words (replaces the old fixed "default view" note)."""
    tr, ds = run.tr, run.ds
    parts = []
    if state.batches == tuple(int(b) for b in ds.batches["batch"]):
        parts.append(tr.text("cap_all_batches"))
    elif state.batches == (1, 2, 3):
        parts.append(tr.text("cap_july_2018"))
    else:
        shown = ", ".join(map(str, state.batches)) or "–"
        parts.append(tr.n_text("cap_batches", len(state.batches), batches=shown))
    if state.regions:
        parts.append(tr.join(tr.region(r) for r in state.regions))
    if state.provinces:
        names = dict(
            zip(ds.provinces["province_en"], tr.col(ds.provinces, "province"), strict=True)
        )
        parts.append(tr.join(names[p] for p in state.provinces))
    if state.q:
        parts.append(tr.text("cap_search", q=state.q))
    parts.append(tr.text("cap_as_of", date=tr.date(state.day(run.today))))
    grey = tr.text("cap_grey") if (state.regions or state.provinces or state.q) else ""
    return tr("cap_view", what=" · ".join(parts), n=len(view)) + (
        i18n.escape_md(" " + grey) if grey else ""
    )


def legend(view: pd.DataFrame, state: State, run: Run, spec: mapview.MapSpec) -> None:
    """What the colours mean and how many of each are drawn, a scale, and zoom buttons."""
    tr = run.tr
    st.html(_legend_html(shared.key(run, state.filters, spec), spec, run.ds, view, tr))
    if spec.light:
        return
    with st.container(horizontal=True, gap="small"):
        st.button(
            "＋",
            help=tr.text("zoom_in"),
            on_click=_zoom,
            args=(1,),
            key="zoom_in",
        )
        st.button(
            "－",
            help=tr.text("zoom_out"),
            on_click=_zoom,
            args=(-1,),
            key="zoom_out",
        )
        st.button(
            tr("zoom_reset"),
            icon=":material/fit_screen:",
            on_click=_zoom,
            args=(0,),
            key="zoom_reset",
        )


@st.cache_resource(show_spinner=False, max_entries=256)
def _legend_html(key: str, _spec: mapview.MapSpec, _ds, _view: pd.DataFrame, _tr) -> str:
    """The legend's HTML, once per data version, filters and map spec (which decide the view
    and the language): only the palette, numbers and catalogue strings, escaped all the same."""
    ds, view, tr, spec = _ds, _view, _tr, _spec
    years = dict(zip(ds.batches["batch"], ds.batches["approved_on"].dt.year, strict=True))
    newest_on = {
        int(b): d for b, d in zip(ds.batches["batch"], ds.batches["approved_on"], strict=True)
    }
    rows = []
    for item in mapview.legend(view, spec, years):
        values = {k: v for k, v in item.items() if k in ("batch", "year", "n")}
        if item["key"] == "legend_new":
            values["month"] = tr.month(newest_on[item["batch"]]) if item.get("batch") else ""
        label = html.escape(tr.text(item["key"], **values))
        rows.append(_swatch(item["kind"], colors.hex_(item["color"]), label))
    if spec.regions or spec.provinces or spec.match_ids is not None:
        rows.append(
            _swatch("grey", colors.hex_(colors.CONTEXT), html.escape(tr.text("legend_grey")))
        )
    km, px = mapview.scale_bar(spec)
    scale = (
        f'<div style="margin-top:.5em;font-size:.8em;color:#555">'
        f'<div style="width:{px}px;height:6px;border:1px solid #555;border-top:none"></div>'
        f"{html.escape(tr.text('legend_scale', km=km))}</div>"
    )
    return (
        f'<div role="list" aria-label="{html.escape(tr.text("legend"))}" style="font-size:.9em">'
        f"<b>{html.escape(tr.text('legend'))}</b>{''.join(rows)}{scale}</div>"
    )


def _zoom(step: int) -> None:
    st.session_state[ZOOM_KEY] = (
        0 if step == 0 else max(-2, min(6, st.session_state.get(ZOOM_KEY, 0) + step))
    )


def _swatch(kind: str, color: str, label: str) -> str:
    style = {
        "dot": f"background:{color};border:1px solid #282828",
        "ring": f"background:transparent;border:2.5px solid {color}",
        "faded": f"background:{color}55;border:1px solid #282828",
        "grey": f"background:{color};border:1px solid #969696",
        "dashed": f"background:transparent;border:2px dashed {color}",
    }[kind]
    return (
        '<div role="listitem" style="display:flex;align-items:center;gap:.5em;margin:.2em 0">'
        f'<span style="flex:none;width:.85em;height:.85em;border-radius:50%;{style}"></span>'
        f"<span>{label}</span></div>"
    )


def details(run: Run, state: State, view: pd.DataFrame) -> None:
    """The selected zone: its facts and sources, why it may look different (withdrawn, not in
    view, approximate point), and its three nearest zones as links that select them."""
    ds, tr, today = run.ds, run.tr, run.today
    z = ds.zone(state.zone)
    day = state.day(today)
    other = z[tr.other_colname("name")]
    st.markdown(f"**{i18n.escape_md(tr.col(z, 'name'))}** · {i18n.escape_md(other)}")
    st.caption(tr("d_batch", batch=int(z["batch"]), year=z["approved_on"].year))
    facts = {
        "d_province": tr.col(z, "province"),
        "d_region": tr.region(z["region_en"]),
        "d_level": tr.level(z["admin_level"]),
        "d_approved": tr.date(z["approved_on"]),
        "d_document": z["document_no"],
        "d_confidence": tr.confidence(z["confidence"]),
    }
    st.markdown("\n".join(f"- {tr(k)}: {i18n.escape_md(str(v))}" for k, v in facts.items()))
    revoked = z["revoked_on"]
    if pd.notna(revoked) and revoked.date() <= day:
        st.warning(tr("d_withdrawn", date=tr.date(revoked), note=z[tr.textcol("note")]))
    elif z["note"]:
        st.caption(tr("d_note", note=z[tr.textcol("note")]))
    if state.zone not in set(view["zone_id"]):
        st.caption(tr("d_not_in_view"))
    if z["precision"] != "seat":
        st.caption(tr("d_point_area"))
    if z["confidence"] == "unverified":
        st.caption(tr("d_unverified"))
    if z.get("point_note"):
        st.caption(tr("d_point_note", note=z[tr.textcol("point_note")]))
    links = data.sources(z["source_url"])
    if links:
        st.markdown(f"{tr('d_sources')}: " + " · ".join(shared.md_link(u) for u in links))
    near = ds.derived(  # keyed by the set of active zones, not the day: bounded
        ("nearest3", state.zone, ds.epoch(day)),
        lambda: nearest.nearest(data.active_on(ds.zones, day), z["lat"], z["lon"], k=3,
                                exclude=state.zone).to_dict("records"),
    )  # fmt: skip
    st.markdown(f"**{tr('d_nearest')}**")
    for r in near:
        st.button(
            tr.text("d_nearest_item", name=tr.col(r, "name"), km=r["distance_km"]),
            key=f"near_{r['zone_id']}",
            on_click=_set,
            args=("w_zone", r["zone_id"]),
            type="tertiary",
            icon=":material/arrow_forward:",
        )
    st.button(tr("d_clear"), on_click=_clear_zone, key="clear_zone")


def _clear_zone() -> None:
    st.session_state["_clear_zone"] = True


# --- below the map ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=256)
def summary_panel(key: str, lang: str, _run: Run, _state: State) -> None:
    """How the selected zones split over the four regions, group by group (earlier and new, or
    batch by batch), with the priority regions' share: one chart, one table."""
    ds, tr, state = _run.ds, i18n.tr(lang), _state
    st.subheader(tr("summary"), anchor=False)
    approved = filters.approved_by(ds.zones, state.filters, _run.today)
    if approved.empty:
        st.caption(tr("no_zones"))
        return
    labels = group_labels(ds, state, tr)
    if state.color == "story":
        group, order = summary.story_groups(approved, state.batches)
    else:
        key_of, order = summary.batch_groups(state.batches)
        group = [key_of[b] for b in approved["batch"]]
    comp = summary.composition(approved, group, order)
    pri = summary.priority_share(comp)
    st.caption(tr("summary_caption"))
    rows = [
        {
            "group": labels[r.group],
            "order": order.index(r.group),
            "region": tr.region(r.region_en),
            "rorder": colors.REGION_ORDER.index(r.region_en),
            "count": int(r.count),
            "share": float(r.share),
        }
        for r in comp.itertuples()
    ]
    chart, table_col = st.columns([3, 2], gap="medium")
    chart.vega_lite_chart(stacked_bars(rows, tr), height=240, width="stretch")
    shares = {r.group: (r.share, r.delta_pp) for r in pri.itertuples()}
    wide = summary.table(comp)
    shown = (
        wide.astype(str)
        .rename_axis(index=None)
        .rename(
            columns=labels,
            index={
                **{r: tr.region(r) for r in colors.REGION_ORDER},
                "priority": tr.text("s_priority"),
                "total": tr.text("s_total"),
            },
        )
    )
    shown.loc[tr.text("s_share")] = [
        tr.pct(shares[g][0]) if shares[g][0] == shares[g][0] else "–" for g in wide.columns
    ]
    table_col.dataframe(shown, width="stretch")
    with st.expander(tr("s_batch_summary")):
        col = tr.textcol("summary")
        for b in ds.batches[ds.batches["batch"].isin(state.batches)].itertuples():
            label = tr("group_batch", batch=b.batch, year=b.approved_on.year)
            st.markdown(f"**{label}** — {i18n.escape_md(getattr(b, col))}")


def group_labels(ds, state: State, tr: i18n.For) -> dict[str, str]:
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"], strict=True))
    newest = max(state.batches) if state.batches else 0
    labels = {
        "earlier": tr.text("group_earlier"),
        "new": tr.text("group_new", month=tr.month(year[newest])) if newest else "",
        "1-2": tr.text("group_first_13"),
    }
    labels |= {str(b): tr.text("group_batch", batch=b, year=year[b].year) for b in year}
    return labels


def stacked_bars(rows: list[dict], tr: i18n.For) -> dict:
    """Regions stacked in one order (East, then the priority regions), one colour each."""
    order = [tr.region(r) for r in colors.REGION_ORDER]
    return {
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "group",
                "type": "nominal",
                "sort": {"field": "order"},
                "title": None,
                "axis": {"labelAngle": 0, "labelLimit": 120},
            },
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": tr.text("s_count"),
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "region",
                "type": "nominal",
                "sort": order,
                "scale": {
                    "domain": order,
                    "range": [colors.hex_(colors.REGION[r]) for r in colors.REGION_ORDER],
                },
                "title": tr.text("s_region"),
                "legend": {"orient": "bottom"},
            },
            "order": {"field": "rorder", "type": "quantitative"},
            "tooltip": [
                {"field": "group", "title": tr.text("s_group")},
                {"field": "region", "title": tr.text("s_region")},
                {"field": "count", "title": tr.text("s_count")},
                {"field": "share", "format": ".1%", "title": tr.text("s_share")},
            ],
        },
    }


@st.cache_resource(show_spinner=False, max_entries=256)
def _table(key: str, lang: str, zone: str | None, _view: pd.DataFrame) -> None:
    """The table of the zones in view, the selected zone highlighted; cached per view."""
    tr, view = i18n.tr(lang), _view
    st.subheader(tr("table"), anchor=False)
    if len(view) > TABLE_ROWS:  # a bounded table: the downloads hold every row
        st.caption(tr("table_cut", n=TABLE_ROWS, total=len(view)))
        view = view.head(TABLE_ROWS)
    shown = zone_table_frame(view, tr)
    shown.insert(0, "selected", ["●" if z == zone else "" for z in shown.index])
    st.dataframe(shown, hide_index=True, column_config=table_columns(tr))


def zone_table_frame(view: pd.DataFrame, tr: i18n.For) -> pd.DataFrame:
    """The columns a reader wants, the interface language's name first; the index is the id."""
    other = tr.other_colname("name")
    return pd.DataFrame(
        {
            "name": tr.col(view, "name").to_numpy(),
            "other": view[other].to_numpy(),
            "province": tr.col(view, "province").to_numpy(),
            "region": [tr.region(r) for r in view["region_en"]],
            "batch": view["batch"].to_numpy(),
            "approved_on": view["approved_on"].to_numpy(),
            "document_no": view["document_no"].to_numpy(),
            "confidence": [tr.confidence(c) for c in view["confidence"]],
        },
        index=pd.Index(view["zone_id"].to_numpy(), name="zone_id"),
    )


def table_columns(tr: i18n.For) -> dict:
    return {
        "name": tr.text("c_name"),
        "other": tr.text("c_name_other"),
        "province": tr.text("c_province"),
        "region": tr.text("c_region"),
        "batch": st.column_config.NumberColumn(tr.text("c_batch"), format="%d"),
        "approved_on": st.column_config.DateColumn(tr.text("c_approved"), format="YYYY-MM-DD"),
        "document_no": tr.text("c_document"),
        "confidence": tr.text("c_confidence"),
        "selected": st.column_config.TextColumn("", width=28, help=tr.text("c_selected_help")),
    }


# --- the page -----------------------------------------------------------------------------------


@st.fragment
def map_part(run: Run, view: pd.DataFrame) -> None:
    """The map, its legend, the selected zone's details and the table of the zones on the map:
    a click on the map, the zone picker, a nearest zone or a zoom button reruns only this part
    (Streamlit's fragment), so the answer to a click comes at once and costs a fraction of a
    whole page."""
    with shared.turn(), shared.guard(run.tr):  # a fragment's run skips dashboard.py's guard
        state = st.session_state.get(shared.STATE, run.state)
        state = map_and_details(run, state, view)
        shared.save(run, state)
        if shared.light():
            return
        _table(shared.key(run, state.filters), state.lang, state.zone, view)
        shared.zone_downloads(view, run.tr, "cbec_pilot_zones", "dl")
        if st.session_state.get(shared.DROPPED):  # a forged selection, in a fragment's run
            shared.notice(run.tr)


def page(run: Run) -> None:
    """The whole map page, in reading order."""
    state = shared.save(run, chosen(run))
    view = filters.apply(run.ds.zones, state.filters, run.today, withdrawn=True)
    key = shared.key(run, state.filters)
    header(key, state.lang, run, state, view)
    map_part(run, view)
    if shared.light():  # a browser's first run: the rest once the map is on its way
        st.session_state["_light_run_over"] = True
        st.html(
            f'<p id="cbec-loading" style="color:#666;font-size:.9em">'
            f"{html.escape(run.tr.text('loading_rest'))}</p>"
        )
        shared.fallback_finish()
        return
    sidebar(run)  # after the map: what the visitor waits for is sent first
    state = st.session_state[shared.STATE]
    summary_panel(key + state.color, state.lang, run, state)
    with st.expander(run.tr("about")):
        st.write(run.tr("intro"))
