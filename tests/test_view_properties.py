"""Properties over random views: whatever batches, regions, provinces, search, date and colour
mode a visitor chooses, every part of the map page shows the same set of zones, and no text
on any page says nan, None or inf.

Two levels: the selection and the deck it makes, for many states (fast, no Streamlit); and
the whole app in AppTest, for fewer states, reading what a visitor reads (the table, the
cards, the legend, the headline) and what the browser would draw (the deck's JSON, filtered
as deck.gl filters it on the GPU). Hypothesis runs derandomized: the same examples every run,
so the gate is stable; a failure prints the state that broke it.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbec import colors, data, i18n, mapview, selection, vocab
from cbec.filters import FIRST_DAY, Filters
from support.apptest import deck_drawn, metrics, open_app, table, text

DS = data.dataset()
TODAY = DS.today
REGIONS = list(vocab.REGIONS)
PROVINCES = list(DS.provinces["province_en"])
BATCHES = [int(b) for b in DS.batches["batch"]]
APPROVALS = sorted({d.date() for d in DS.batches["approved_on"]})
REVOCATIONS = sorted({d.date() for d in DS.zones["revoked_on"].dropna()})
# Days that matter (each approval and withdrawal, the day before each) and any other day.
DAYS = st.one_of(
    st.sampled_from(
        APPROVALS + REVOCATIONS + [d - dt.timedelta(days=1) for d in APPROVALS + REVOCATIONS]
    ).filter(lambda d: FIRST_DAY <= d <= TODAY),
    st.dates(min_value=FIRST_DAY, max_value=TODAY),
    st.none(),
)
QUERIES = st.sampled_from(["", "", "", "an", "xi", "西安", "zhou", "Harbin", "qq", "市"])


@st.composite
def views(draw) -> tuple[Filters, str]:
    regions = draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=2))
    pool = list(DS.provinces.loc[DS.provinces["region_en"].isin(regions), "province_en"])
    provinces = draw(st.lists(st.sampled_from(pool or PROVINCES), unique=True, max_size=3))
    if regions and not pool:
        provinces = []
    f = Filters(
        batches=tuple(sorted(draw(st.lists(st.sampled_from(BATCHES), unique=True, max_size=4)))),
        regions=tuple(regions),
        provinces=tuple(provinces) if draw(st.booleans()) else (),
        q=draw(QUERIES),
        as_of=draw(DAYS),
    )
    return f, draw(st.sampled_from(["story", "batch"]))


def _deck(sel: selection.Selection, width: int = 760, light: bool = False) -> dict:
    spec = mapview.spec_for(sel, lang="en", width=width, light=light)
    return json.loads(mapview.map_deck(DS, spec).to_json())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(views())
def test_the_deck_draws_exactly_the_selection(view):
    """The points deck.gl keeps (its categories and day range, applied as the GPU applies
    them), the first paint's inline points, the table's rows and the legend's counts are one
    set of zones."""
    f, color = view
    sel = selection.select(DS, f, color, TODAY)
    ids = set(sel.ids)
    full = _deck(sel)
    assert {r["id"] for r in deck_drawn(full, "zones")} == ids
    assert {r["id"] for r in deck_drawn(full, "withdrawn-edge")} == ids
    light = _deck(sel, light=True)
    assert {r["id"] for r in deck_drawn(light, "zones-first")} == ids
    # the first deck already holds the full deck's point layers, exactly (deck.gl keeps a
    # layer's loaded file when the next deck has a layer of that id and data: no gap)
    for layer_id in ("zones", "withdrawn-edge"):
        first = next(lyr for lyr in light["layers"] if lyr["id"] == layer_id)
        assert first == next(lyr for lyr in full["layers"] if lyr["id"] == layer_id)
    withdrawn = {r["id"] for r in deck_drawn(full, "zones") if r["r"] <= sel.day_n}
    assert len(withdrawn) == sel.n_withdrawn
    rows = selection.legend(DS, sel)
    groups = sum(r["n"] for r in rows if r["kind"] == "dot")
    assert groups == sel.n  # every zone in view is in exactly one colour group
    if sel.narrowed:
        context = {r["id"] for r in deck_drawn(full, "context")}
        assert ids <= context and len(context - ids) == sel.n_context
    # the colours follow the same newest batch as the legend and the headline
    fill = next(lyr for lyr in full["layers"] if lyr["id"] == "zones")["getFillColor"]
    if color == "story" and sel.newest is not None:
        assert f"b == {sel.newest} ?" in fill
        new = next(r for r in rows if r["group"] == "new")
        assert new["n"] == int((sel.zones["batch"] == sel.newest).sum())
    # deck.gl's category filter: one shape for every view (a layer whose category count changed
    # kept its old attribute and drew nothing), and no more values per category than its
    # 128-bit mask holds (128 / number of categories: zones from the 129th on were never drawn)
    for layer in full["layers"]:
        ext = layer.get("extensions") or []
        if not any(e.get("@@type") == "DataFilterExtension" for e in ext):
            continue
        size = ext[0].get("categorySize", 0)
        if layer["id"] in ("zones", "withdrawn-edge"):
            assert size == 3 and layer["getFilterCategory"] == "@@=[b, rg, pv]", layer["id"]
        if size:
            cats = layer["filterCategories"] if size > 1 else [layer["filterCategories"]]
            limit = 128 if size == 1 else 64 if size == 2 else 32
            assert all(len(set(c)) <= limit for c in cats), layer["id"]
            assert all(len(set(selection.point_fields(DS)[name])) <= limit
                       for name in layer["getFilterCategory"].strip("@=[]").split(", ")
                       if name in selection.point_fields(DS))  # fmt: skip
    s = selection.story(DS, sel)
    for share in (s.share_new, s.share_earlier, s.delta_pp):
        assert share is None or share == share  # None where undefined, never NaN
    if s.kind in ("rose", "fell", "same"):
        assert s.share_new is not None and s.share_earlier is not None


BAD_WORDS = re.compile(r"\b(nan|NaN|None|inf|Infinity|undefined)\b")


def _link(f: Filters, color: str, lang: str) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {"batch": [str(b) for b in f.batches] or ["none"]}
    if f.regions:
        params["region"] = [vocab.slugify(r) for r in f.regions]
    if f.provinces:
        params["province"] = [vocab.slugify(p) for p in f.provinces]
    if f.q:
        params["q"] = f.q
    if f.as_of:
        params["date"] = f.as_of.isoformat()
    if color != "story":
        params["color"] = color
    if lang != "en":
        params["lang"] = lang
    return params


def _legend_counts(at) -> int:
    """The sum of the legend's colour groups, as the visitor reads them."""
    body = " ".join(h.proto.body for h in at.get("html") if 'role="list"' in h.proto.body)
    dots = re.findall(r"background:#[0-9a-f]{6};border:1px solid #282828[^>]*></span><span>"
                      r"[^<]*? · (\d+)个?</span>", body)  # fmt: skip
    return sum(int(n) for n in dots)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(views(), st.sampled_from(["en", "zh"]))
def test_every_screen_of_the_map_page_agrees(view, lang):
    """In the whole app (AppTest, the link a visitor opens): the table's rows, the "Zones in
    this view" card, the legend's groups and the deck's points are one number; the headline
    names the batch the colours call new; no text says nan, None or inf."""
    f, color = view
    at = open_app(_link(f, color, lang))
    tr = i18n.tr(lang)
    sel = selection.select(DS, f, color, TODAY)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    drawn = {r["id"] for r in deck_drawn(deck, "zones")}
    rows = set(table(at).index)
    assert drawn == rows == set(sel.ids)
    assert metrics(at)[tr.text("m_zones")] == str(len(rows))
    assert _legend_counts(at) == len(rows)
    words = text(at) + " " + " ".join(f"{k} {v}" for k, v in metrics(at).items())
    assert not BAD_WORDS.search(words), BAD_WORDS.search(words)
    if sel.newest is not None and color == "story":
        month = tr.month(DS.batches.set_index("batch").loc[sel.newest, "approved_on"])
        assert month in text(at).split("\n")[0]  # the headline's month is the new colour's


@pytest.mark.parametrize("page", ["regional_priorities", "nearest_zone", "data_and_sources"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_other_page_says_nan(page, lang):
    for day in (FIRST_DAY, APPROVALS[1] - dt.timedelta(days=1), TODAY):
        params = {"date": day.isoformat(), "lang": lang} if day != TODAY else {"lang": lang}
        at = open_app(params, page=page)
        words = text(at) + " " + " ".join(str(df.value) for df in at.dataframe)
        assert not BAD_WORDS.search(words), (page, day, BAD_WORDS.search(words))


def test_the_colours_legend_rows_use_are_the_decks():
    """The legend's swatch for "new" is the colour the deck's expression gives the newest
    batch (one palette, read by both)."""
    sel = selection.select(DS, Filters(), "story", TODAY)
    fill = next(lyr for lyr in _deck(sel)["layers"] if lyr["id"] == "zones")["getFillColor"]
    rgb = ",".join(map(str, colors.NEW))
    assert f"b == 3 ? (ap ? [{rgb},90] : [{rgb},255])" in fill
