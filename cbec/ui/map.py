"""The map page: one sentence that answers the question people open it with, the map with its
legend and the selected zone's details, four numbers that back the sentence, the regional
summary, and the table with downloads. Streamlit layout only.

Every run reads every widget first (filters, the zone picker, a click on the map), turns them
into one state (held to the URL's rules once), and makes one `cbec.selection.Selection` of it;
the headline, the cards, the legend, the deck, the table and the downloads all read that one
selection, so no two parts of a screen can disagree, whether the view was reached by a link or
by clicks.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from cbec import captions, charts, colors, data, i18n, mapview, nearest, selection, summary, vocab
from cbec.filters import DEFAULT_BATCHES, FIRST_DAY, MAX_QUERY, Filters
from cbec.selection import Selection
from cbec.ui import firstpaint, keys, probe, share, shared, slots
from cbec.ui.shared import Run
from cbec.urlstate import COLOR_MODES, State

ZOOM_KEY, FULL_RUN = keys.ZOOM, keys.FULL_RUN  # see cbec/ui/keys.py
PROBE = "map_probe"  # the map's companion (probe.map_probe): its key
TABLE_ROWS = 500  # more than every zone there is; a bound on what one rerun sends

# --- the state: every widget read before anything is drawn --------------------------------------


def _stops(ds, today: dt.date, current: dt.date) -> list[dt.date]:
    """The timeline's steps: every approval date and today, plus the day shown if it is
    another one (any day stays possible through the date box)."""
    days = {d.date() for d in ds.batches["approved_on"]} | {today, current}
    return sorted(d for d in days if FIRST_DAY <= d <= today)


def chosen(run: Run) -> State:
    """The view the widgets choose (filters and the selected zone), read before they are
    drawn (so the map, which the visitor waits for, is sent first): seeded from the state (the
    URL) when it changed, held to the URL's rules once."""
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
    ctx = run.ctx
    # What a client sent, held to the options before any work (a forged 1 MB string for the
    # provinces was iterated character by character, holding the script slot for 17 s).
    ss["w_batch"] = _members(ss["w_batch"], set(ctx.batches))
    ss["w_region"] = _members(ss["w_region"], set(ctx.regions))
    provs = ds.provinces
    if ss["w_region"]:  # a province outside the chosen regions falls away
        provs = provs[provs["region_en"].isin(ss["w_region"])]
    ss["w_province"] = _members(ss["w_province"], set(provs["province_en"]))
    if not isinstance(ss["w_q"], str):
        ss["w_q"] = ""
    if ss["w_color"] not in COLOR_MODES:
        ss["w_color"] = "story"
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
        zone=_zone(run, state),
    )
    return shared.accept(candidate, run.ctx)


def _members(value: object, options: set) -> list:
    """A multiselect's value if it is a list of its options (at most all of them), in order;
    whatever else a client sent, the known values in it or nothing."""
    if not isinstance(value, (list, tuple)) or len(value) > len(options):
        return []
    return [v for v in value if isinstance(v, (str, int)) and v in options]


def _zone(run: Run, state: State) -> str | None:
    """The selected zone: the zone picker's value, which a click on the map, a nearest zone's
    button and Clear set before the run (callbacks), and the URL when it changed."""
    shared.seed({"w_zone": ("zone", state.zone)})
    zone = st.session_state.get("w_zone")
    if zone is not None and zone not in run.ds.zone_ids:
        shared.drop([f"zone={zone}"[:40]])
        st.session_state["w_zone"] = zone = None
    return zone


def _pick(value: str, ids: frozenset[str]) -> None:
    """A click or a tap on the map picked `value` (before the run): a known zone is selected;
    anything else is a forged message, named in the notice."""
    if value in ids:
        st.session_state["w_zone"] = value
    else:
        shared.drop([f"zone={value}"[:40]])


def view_of(run: Run, filters: Filters, color: str) -> Selection:
    """The selection every part of the page reads (memoised: one object per view)."""
    return selection.select(run.ds, filters, color, run.today)


# --- the filters --------------------------------------------------------------------------------


def sidebar(run: Run, light: bool = False) -> None:
    """The filter widgets (their values were read by `chosen`). On a light first run, the
    filters only: the shortcut buttons and the basemap switch follow with the rest of the page
    (on a throttled phone, their code made the filters appear 0.4 s after the plain app's)."""
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
    with sb.container(horizontal=True):  # drawn empty on a light run: the filters keep place
        if not light:
            st.button(tr("f_all_batches"), on_click=_set, args=("w_batch", list(all_batches)))
            st.button(
                tr("f_default_batches"), on_click=_set, args=("w_batch", list(DEFAULT_BATCHES))
            )
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
        max_chars=MAX_QUERY,
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
    if light:
        return
    sb.toggle(tr("f_basemap"), help=tr.text("f_basemap_help"), key="w_basemap")
    sb.button(tr("f_reset"), on_click=_reset, args=(today,), width="stretch")


@shared.guarded
def _follow(target: str, source: str) -> None:
    """The timeline and the date box show one day: the one the visitor moved sets the other
    (a callback, so it runs before either is drawn)."""
    value = st.session_state.get(source)
    if isinstance(value, dt.date):
        st.session_state[target] = value


@shared.guarded
def _set(key: str, value) -> None:
    st.session_state[key] = value


def _set_day(day: dt.date) -> None:
    st.session_state["w_day"] = st.session_state["w_day_any"] = day


@shared.guarded
def _reset(today: dt.date) -> None:
    st.session_state.update(
        {
            "w_batch": list(DEFAULT_BATCHES),
            "w_region": [],
            "w_province": [],
            "w_q": "",
            "w_day": today,
            "w_day_any": today,
            "w_color": "story",
            "w_basemap": False,
            "w_zone": None,
        }
    )


def _without(key: str, value) -> None:
    """A chip's ✕: one value out of a filter."""
    st.session_state[key] = [v for v in st.session_state.get(key, []) if v != value]


def chips(run: Run, state: State) -> None:
    """The view's filters that differ from the July 2018 view, as chips that remove
    themselves: a shared link's filters are seen at once, on a phone too, above the map."""
    tr, ds, today = run.tr, run.ds, run.today
    items: list[tuple[str, str, object, tuple]] = []  # (label, key, callback, args)
    if state.batches != DEFAULT_BATCHES:
        items.append((captions.batches_label(run.ds, run.tr, state.batches), "chip_batch", _set,
                      ("w_batch", list(DEFAULT_BATCHES))))  # fmt: skip
    for r in state.regions:
        items.append((tr.region(r), f"chip_region_{r}", _without, ("w_region", r)))
    if state.provinces:
        names = dict(zip(ds.provinces["province_en"], tr.col(ds.provinces, "province"),
                         strict=True))  # fmt: skip
        for p in state.provinces:
            items.append((names[p], f"chip_province_{p}", _without, ("w_province", p)))
    if state.q:
        items.append((tr("cap_search", q=state.q), "chip_q", _set, ("w_q", "")))
    if state.as_of is not None:
        items.append((tr.text("cap_as_of", date=tr.date(state.as_of)), "chip_date", _set_day,
                      (today,)))  # fmt: skip
    if state.color != "story":
        items.append((tr.text("f_color_batch"), "chip_color", _set, ("w_color", "story")))
    # Drawn in every run, empty when no filter is set: a container that comes and goes shifts
    # the map's container by one place, and a browser that draws the page while the run is
    # still arriving (a busy phone) then unmounts the map, losing the visitor's zoom.
    # (frame.CSS hides it when empty.)
    with st.container(horizontal=True, gap="small", key="cbec-chips"):
        for label, key, callback, args in items:
            st.button(
                i18n.escape_md(label),  # a button's label is Markdown: a search stays text
                key=key,
                on_click=_chip,
                args=(callback, *args),
                icon=":material/close:",
                help=tr.text("chip_help"),
                type="secondary",
            )


@shared.guarded
def _chip(callback, *args) -> None:
    """A chip's ✕: its filter changes, and the page runs whole (a chip lives in the map's
    fragment, whose own run would not redraw the headline and the filters)."""
    callback(*args)
    st.session_state[FULL_RUN] = True


# --- the first screen ---------------------------------------------------------------------------


@shared.per_view(512)
def headline(run: Run, filters: Filters, color: str, lang: str) -> None:
    """The sentence under the app's name, and what a pilot zone is in one line; cached per view
    and language (Streamlit replays the elements on a rerun to a view seen before)."""
    ds, tr, sel = run.ds, i18n.tr(lang), view_of(run, filters, color)
    s = selection.story(ds, sel)
    st.markdown(f"#### {captions.headline_text(s, tr, ds, sel.day)}")
    st.caption(tr("standfirst", n=len(ds.zones), batches=len(ds.batches)))


@shared.per_view(512)
def cards(run: Run, filters: Filters, color: str, lang: str) -> None:
    """The four numbers behind the sentence, from the same selection; cached per view."""
    ds, tr, sel = run.ds, i18n.tr(lang), view_of(run, filters, color)
    s = selection.story(ds, sel)
    with st.container(horizontal=True, gap="medium"):
        kw: dict[str, Any] = {"width": "stretch", "border": True}
        if s.newest is not None:
            month = tr.month(captions.month_of(ds, s.newest))
            if s.narrowed:
                st.metric(tr("m_new_view", month=month), s.k_new,
                          delta=tr.text("m_of_new", n=s.n_new), delta_color="off",
                          delta_arrow="off", **kw)  # fmt: skip
            else:
                st.metric(tr("m_new", month=month), s.n_new, **kw)
            delta = None if s.delta_pp is None else tr.text("m_delta", pp=tr.pp(s.delta_pp))
            st.metric(
                tr("m_share_view" if s.narrowed else "m_priority"),
                tr.pct(s.share_new),
                delta=delta,
                help=tr.text("m_share_view_help" if s.narrowed else "m_priority_help"),
                delta_color="normal",
                **kw,
            )
        st.metric(
            tr("m_zones"),
            sel.n,
            delta=tr.text("m_zones_split", active=sel.n_active, withdrawn=sel.n_withdrawn)
            if sel.n_withdrawn
            else None,
            delta_color="off",
            delta_arrow="off",
            **kw,
        )
        st.metric(tr("m_provinces"), tr.text("m_provinces_value", n=sel.provinces), **kw)


# --- the map, its legend, the details -----------------------------------------------------------


@shared.per_view(128)
def _deck(run: Run, spec: mapview.MapSpec) -> mapview.CompactDeck:
    """The deck for this view, built and serialised once per distinct view."""
    return mapview.map_deck(run.ds, spec)


def map_and_details(run: Run, state: State, sel: Selection) -> None:
    """The map with its legend, and the selected zone's details."""
    ds, tr = run.ds, run.tr
    map_col, side = st.columns([3, 1], gap="medium")
    with map_col:
        width = probe.map_probe(PROBE, on_pick=_pick, args=(ds.zone_ids,), sidebar=True)
        selected = ds.zone(state.zone) if state.zone else None
        spec = mapview.spec_for(
            sel,
            lang=tr.data_lang,
            tooltip=tr.template("map_tooltip"),
            width=width,
            zoom_step=st.session_state.get(ZOOM_KEY, 0),
            selected=(selected["lon"], selected["lat"]) if selected is not None else None,
            # the visitor's own switch, never a link's: no stranger's URL makes a visitor's
            # browser call CARTO
            basemap=bool(st.session_state.get("w_basemap")),
            light=firstpaint.light(),
            first_points=firstpaint.after_light(),
        )
        with st.container(key="cbec-map-note"):  # in every run, as the chips (see there)
            if sel.n == 0 and sel.newest is not None:
                st.info(tr("no_zones"))
        lay = mapview.layout(width)
        block = probe.map_block(PROBE)
        with st.container(key=block):  # a new map when refitted (see there)
            st.pydeck_chart(
                _deck(run, spec),
                key="zone_map",
                # the deck's own size: a first deck fitted to a guessed width is never drawn
                # wider or narrower than it was fitted for (China was cut when they differed)
                width=lay.width,
                height=lay.height,
            )
        st.caption(captions.describe(run.ds, run.tr, state, sel))
    with side:
        legend(run, state, spec, hide=block if _unfitted(spec) else None)
        if spec.light:  # the picker and the details come with the rest of the page
            return
        zone_picker(run)
        if state.zone:
            details(run, state, sel)


def zone_picker(run: Run) -> None:
    """The keyboard's way to every zone (a select box with search); its value is the
    selection (read by `_zone` before the map was drawn)."""
    ds, tr = run.ds, run.tr
    labels = _zone_labels(ds, tr.lang)
    st.selectbox(
        tr("details"),
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder=tr.text("details_placeholder"),
        key="w_zone",
    )


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


def _unfitted(spec: mapview.MapSpec) -> bool:
    """Whether this run's map is fitted to a guessed width: a light run's before the map's
    companion has reported. Such a map is drawn (its code and files load meanwhile) but not
    shown: when the report comes after its canvas, the map is drawn anew in a new block
    (probe.map_block), and a visitor who had seen the first one, cut at a wrong width, saw its
    points vanish for 0.65-1.6 s while the new one started (a busy phone, 2 visits in 6)."""
    return spec.light and not firstpaint.width_reported(PROBE)


def legend(run: Run, state: State, spec: mapview.MapSpec, hide: str | None = None) -> None:
    """What the colours mean and how many of each are drawn, a scale, and zoom buttons; with
    the style that keeps the map's block `hide` out of sight (see _unfitted), in the same
    element, so that no element comes or goes with it."""
    tr = run.tr
    style = f"<style>.st-key-{hide}{{visibility:hidden}}</style>" if hide else ""
    st.html(_legend_html(run, state.filters, state.color, spec, tr.lang) + style)
    if spec.light:
        return
    with st.container(horizontal=True, gap="small"):
        st.button("＋", help=tr.text("zoom_in"), on_click=_zoom, args=(1,), key="zoom_in")
        st.button("－", help=tr.text("zoom_out"), on_click=_zoom, args=(-1,), key="zoom_out")
        st.button(
            tr("zoom_reset"),
            icon=":material/fit_screen:",
            on_click=_zoom,
            args=(0,),
            key="zoom_reset",
        )


@shared.per_view(256)
def _legend_html(run: Run, filters: Filters, color: str, spec: mapview.MapSpec, lang: str) -> str:
    """The legend's HTML, once per view, map spec and language: only the palette, numbers
    and catalogue strings, escaped all the same."""
    tr, sel = i18n.tr(lang), view_of(run, filters, color)
    rows = [
        _swatch(kind, c, html.escape(label))
        for kind, c, label in captions.legend_rows(run.ds, sel, tr)
    ]
    km, px = mapview.scale_bar(spec)
    scale = (
        f'<div style="margin-top:.5em;font-size:.8em;color:#555">'
        f'<div style="width:{px}px;height:6px;border:1px solid #555;border-top:none"></div>'
        f"{html.escape(tr.text('legend_scale', km=km))}</div>"
    )
    # data-width: the width the deck beside it was fitted for (tests wait on it)
    return (
        f'<div role="list" aria-label="{html.escape(tr.text("legend"))}" '
        f'data-width="{spec.width}" style="font-size:.9em">'
        f"<b>{html.escape(tr.text('legend'))}</b>{''.join(rows)}{scale}</div>"
    )


@shared.guarded
def _zoom(step: int) -> None:
    st.session_state[ZOOM_KEY] = (
        0 if step == 0 else max(-2, min(6, st.session_state.get(ZOOM_KEY, 0) + step))
    )


def _swatch(kind: str, color: str, label: str) -> str:
    shape = "border-radius:50%"
    style = {
        "dot": f"background:{color};border:1px solid #282828",
        "ring": f"background:transparent;border:2.5px solid {color}",
        "faded": f"background:{color}55;border:1px solid #282828",
        "grey": f"background:{color};border:1px solid #969696",
        "dashed": f"background:transparent;border:2px dashed {color}",
        "area": f"background:{color};border:1px solid #bbb",
        "outline": f"background:transparent;border:2px solid {color}",
        "frame": f"background:transparent;border:1.2px solid {color}",
        "none": "background:transparent;border:1px dashed #999",
    }[kind]
    if kind in ("area", "outline", "frame"):
        shape = "border-radius:2px"
    return (
        '<div role="listitem" style="display:flex;align-items:center;gap:.5em;margin:.2em 0">'
        f'<span style="flex:none;width:.85em;height:.85em;{shape};{style}"></span>'
        f"<span>{label}</span></div>"
    )


def details(run: Run, state: State, sel: Selection) -> None:
    """The selected zone: its facts and sources, why it may look different (withdrawn, not in
    view, approximate point), and its three nearest zones as links that select them."""
    ds, tr = run.ds, run.tr
    assert state.zone is not None  # drawn only for a selected zone
    z = ds.zone(state.zone)
    day = sel.day
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
    if state.zone not in set(sel.ids):
        st.caption(tr("d_not_in_view"))
    if z["precision"] != "seat":
        st.caption(tr("d_point_area"))
    if z["confidence"] == "unverified":
        st.caption(tr("d_unverified"))
    km = z.get("tencent_km")
    second = tr.text("d_point_single")
    if pd.notna(km):
        second = tr.text("d_point_second", km=f"{km:.1f}")
    check = tr.text(f"point_check.{z['point_check']}")
    provider = tr.text(f"provider_{vocab.provider_key(z['geocoder'])}")
    st.caption(tr("d_point", provider=provider, second=f"{second} · {check}"))
    if z.get("point_note"):
        st.caption(tr("d_point_note", note=z[tr.textcol("point_note")]))
    point_links = vocab.sources(z.get("point_source") or "")
    if point_links:
        st.caption(
            f"{tr('d_point_sources')}: " + " · ".join(shared.md_link(u) for u in point_links)
        )
    links = vocab.sources(z["source_url"])
    if links:
        st.markdown(f"{tr('d_sources')}: " + " · ".join(shared.md_link(u) for u in links))
    near = ds.derived(  # keyed by the set of active zones, not the day: bounded
        ("nearest3", state.zone, ds.epoch(day)),
        lambda: nearest.nearest(data.active_on(ds.zones, day), z["lat"], z["lon"], k=3,
                                exclude=state.zone).to_dict("records"),
    )  # fmt: skip
    st.markdown(f"**{tr('d_nearest')}**")
    with st.container(key="cbec-near", gap="small"):
        for r in near:
            st.button(
                tr.text("d_nearest_item", name=tr.col(r, "name"), km=r["distance_km"]),
                key=f"near_{r['zone_id']}",
                on_click=_set,
                args=("w_zone", r["zone_id"]),
                type="tertiary",
                icon=":material/arrow_forward:",
            )
    st.button(tr("d_clear"), on_click=_set, args=("w_zone", None), key="clear_zone")


# --- below the map ------------------------------------------------------------------------------


@shared.per_view(256)
def summary_panel(run: Run, filters: Filters, color: str, lang: str) -> None:
    """How the chosen batches' zones split over the four regions, group by group (earlier and
    new, or batch by batch), with the priority regions' share: one chart, one table."""
    ds, tr, sel = run.ds, i18n.tr(lang), view_of(run, filters, color)
    st.subheader(tr("summary"), anchor=False)
    approved = ds.zones[sel.in_batches]
    if approved.empty:
        st.caption(tr("hl_none") if not sel.batches else tr("hl_not_yet", date=tr.date(sel.day)))
        return
    labels = group_labels(ds, sel, tr)
    if sel.color == "story":
        group, order = summary.story_groups(approved, sel.approved)
    else:
        key_of, order = summary.batch_groups(sel.approved)
        group = [key_of[b] for b in approved["batch"]]
    comp = summary.composition(approved, group, order)
    pri = summary.priority_share(comp)
    st.caption(tr("summary_caption"))
    rows = [
        {
            "x": labels[r.group],
            "order": order.index(r.group),
            "series": tr.region(r.region_en),
            "sorder": colors.REGION_ORDER.index(r.region_en),
            "count": int(r.count),
            "share": float(r.share),
        }
        for r in comp.itertuples()
    ]
    chart, table_col = st.columns([3, 2], gap="medium")
    chart.vega_lite_chart(stacked_bars(rows, tr), height=240, width="stretch")
    shares = dict(zip(pri["group"], pri["share"], strict=True))
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
    shown.loc[tr.text("s_share")] = [tr.pct(shares[g]) for g in wide.columns]
    table_col.dataframe(shown, width="stretch")
    with st.expander(tr("s_batch_summary")):
        col = tr.textcol("summary")
        for b in ds.batches[ds.batches["batch"].isin(sel.approved)].itertuples():
            label = tr("group_batch", batch=b.batch, year=b.approved_on.year)
            st.markdown(f"**{label}** — {i18n.escape_md(getattr(b, col))}")


def group_labels(ds, sel: Selection, tr: i18n.For) -> dict[str, str]:
    year = dict(zip(ds.batches["batch"], ds.batches["approved_on"], strict=True))
    labels = {
        "earlier": tr.text("group_earlier"),
        "new": tr.text("group_new", month=tr.month(year[sel.newest])) if sel.newest else "",
        "1-2": tr.text("group_first_13"),
    }
    labels |= {str(b): tr.text("group_batch", batch=b, year=year[b].year) for b in year}
    return labels


def stacked_bars(rows: list[dict], tr: i18n.For) -> dict:
    """Regions stacked in one order (East, then the priority regions), one colour each."""
    return charts.stacked_bars(
        rows,
        domain=[tr.region(r) for r in colors.REGION_ORDER],
        palette=[colors.hex_(colors.REGION[r]) for r in colors.REGION_ORDER],
        tooltip=[("x", tr.text("s_group"), None), ("series", tr.text("s_region"), None),
                 ("count", tr.text("s_count"), None), ("share", tr.text("s_share"), ".1%")],
        y_title=tr.text("s_count"),
        colour_title=tr.text("s_region"),
    )  # fmt: skip


@shared.per_view(256)
def _table(run: Run, filters: Filters, color: str, zone: str | None, lang: str) -> None:
    """The table of the zones in view, the selected zone highlighted; cached per view."""
    tr, view = i18n.tr(lang), view_of(run, filters, color).zones
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
def map_part(run: Run, sel: Selection) -> None:
    """The filter chips, the map, its legend, the selected zone's details, the four numbers and
    the table of the zones on the map (the numbers after the map: the sentence above says what
    they back, and the map belongs on the first screen, on a phone as on a desktop). A click on
    the map, the zone picker, a nearest zone or a zoom button reruns only this part
    (Streamlit's fragment), so the answer to a click comes at once and costs a fraction of a
    whole page. A filter change is a full run, so `sel` is always that run's selection."""
    if st.session_state.pop(FULL_RUN, False):  # a chip changed a filter: the whole page
        st.rerun(scope="app")
    with slots.turn(), shared.guard(run.tr):  # a fragment's run skips dashboard.py's guard
        state = st.session_state.get(shared.STATE, run.state)
        zone = _zone(run, state)
        if zone != state.zone:
            state = shared.save(run, shared.accept(replace(state, zone=zone), run.ctx))
        chips(run, state)
        with st.container(key="cbec-map"):
            map_and_details(run, state, sel)
        if firstpaint.light():
            return
        with st.container(key="cbec-cards"):
            cards(run, state.filters, state.color, state.lang)
        with st.container(key="cbec-table"):
            _table(run, state.filters, state.color, state.zone, state.lang)
            shared.zone_downloads(sel.zones, run.tr, "cbec_pilot_zones", "dl")
        share.panel(run, state, sel)
        if st.session_state.get(shared.DROPPED) and shared.fragment_run():  # a forged pick
            shared.notice(run.tr)  # (a full run's notice is drawn at the top, by dashboard.py)


def page(run: Run) -> None:
    """The whole map page, in reading order."""
    state = shared.save(run, chosen(run))
    sel = view_of(run, state.filters, state.color)
    sidebar(run, light=firstpaint.light())
    headline(run, state.filters, state.color, state.lang)
    map_part(run, sel)
    if firstpaint.light():  # a browser's first run: the rest once the map is on its way
        st.session_state[keys.LIGHT_RUN_OVER] = True
        st.html(
            f'<p id="cbec-loading" style="color:#666;font-size:.9em">'
            f"{html.escape(run.tr.text('loading_rest'))}</p>"
        )
        firstpaint.fallback_finish(PROBE)
        return
    summary_panel(run, state.filters, state.color, state.lang)
    with st.expander(run.tr("about")):
        st.write(run.tr("intro"))
