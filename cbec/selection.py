"""What a view shows, decided once: the one definition that the map page's headline, cards,
legend, table, downloads, deck (its GPU filter and its colours) and first-paint points all read.

A view's state (batches, regions, provinces, search, date, colour mode) becomes a `Selection`:
which zones are in view, which of them are withdrawn by the day, which chosen batch is the
story's "new" one, and the filter the browser applies on the GPU. The zones in view are found by
applying that very filter (`keep`) to the points' own fields, so what the deck draws and what
the page counts are one computation with two readers, never two computations that might
disagree. Pure: no Streamlit, testable on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec import vocab
from cbec.data import Dataset
from cbec.filters import Filters, matches
from cbec.vocab import PRIORITY_REGIONS

EPOCH = dt.date(2015, 1, 1)  # day numbers in the points file count from here
NEVER = 99999  # the day number of "not withdrawn"

Categories = tuple[tuple[str, tuple[int, ...]], ...]


def day_number(day: dt.date | pd.Timestamp) -> int:
    if isinstance(day, pd.Timestamp):
        day = day.date()
    return (day - EPOCH).days


def point_fields(ds: Dataset) -> dict[str, np.ndarray]:
    """The zones' fields that views filter and colour by, as the points file holds them
    (`mapview.zone_records`): index, batch, region and province index, approval and withdrawal
    day numbers. Built once per dataset."""

    def make() -> dict[str, np.ndarray]:
        z = ds.zones
        regions = {r: i for i, r in enumerate(vocab.REGIONS)}
        provinces = {p: i for i, p in enumerate(ds.provinces["province_en"])}
        revoked = [NEVER if pd.isna(d) else day_number(d) for d in z["revoked_on"]]
        return {
            "i": np.arange(len(z)),
            "b": z["batch"].to_numpy(dtype=int),
            "rg": np.array([regions[r] for r in z["region_en"]], dtype=int),
            "pv": np.array([provinces[p] for p in z["province_en"]], dtype=int),
            "a": np.array([day_number(d) for d in z["approved_on"]], dtype=int),
            "r": np.array(revoked, dtype=int),
        }

    return ds.derived("point_fields", make)


def keep(
    fields: dict[str, np.ndarray],
    categories: Categories,
    day_n: int,
    matches: tuple[int, ...] | None = None,
) -> np.ndarray:
    """The zones the deck draws: approved by `day_n`, with each named field among its values
    (what deck.gl's DataFilterExtension does on the GPU with the same categories and
    `filterRange` [0, day_n], mapview._filtered), and, for a name search, among `matches`
    (the deck then carries those zones itself: see `Selection.matches`)."""
    mask = fields["a"] <= day_n
    for name, values in categories:
        mask &= np.isin(fields[name], np.asarray(values, dtype=int))
    if matches is not None:
        mask &= np.isin(fields["i"], np.asarray(matches, dtype=int))
    return mask


@dataclass(frozen=True, eq=False)
class Selection:
    """One view, decided. Masks are over the dataset's zones, in its order."""

    day: dt.date
    day_n: int
    color: str  # "story" (earlier against the newest batch) or "batch"
    batches: tuple[int, ...]  # chosen
    approved: tuple[int, ...]  # chosen and approved by the day
    later: tuple[int, ...]  # chosen but approved after the day
    newest: int | None  # the newest chosen batch approved by the day: the story's "new" one
    narrowed: bool  # a region, province or search narrows the chosen batches
    # The GPU filter of the zones in view (with a <= day_n): always batch, region and province,
    # so the filter's shape never changes between views (deck.gl keeps the first shape's
    # attribute when a layer's category count changes: no point was drawn).
    categories: Categories
    # A name search's zones, by index: the deck carries them inline rather than as a category
    # (deck.gl tells at most 128 values of one category apart: zone 129 on could not be shown).
    matches: tuple[int, ...] | None
    context_categories: Categories  # the GPU filter of the chosen batches (grey when narrowed)
    in_view: np.ndarray  # bool: drawn in colour (withdrawn ones as rings)
    in_batches: np.ndarray  # bool: of the chosen batches and approved by the day
    withdrawn: np.ndarray  # bool: withdrawn by the day (any zone)
    zones: pd.DataFrame  # the rows in view
    outlined: tuple[str, ...]  # adcodes of the provinces a Region or Province filter chose

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.zones["zone_id"])

    @property
    def n(self) -> int:
        return int(self.in_view.sum())

    @property
    def n_withdrawn(self) -> int:
        return int((self.in_view & self.withdrawn).sum())

    @property
    def n_active(self) -> int:
        return self.n - self.n_withdrawn

    @property
    def provinces(self) -> int:
        """Provinces with a zone in view."""
        return int(self.zones["province_en"].nunique())

    @property
    def n_context(self) -> int:
        """Zones of the chosen batches outside the other filters (drawn grey)."""
        return int((self.in_batches & ~self.in_view).sum()) if self.narrowed else 0

    def group_of(self, batch: int) -> str:
        """A zone's colour group: "new" or "earlier" (story), or its batch (by batch)."""
        if self.color == "batch":
            return str(batch)
        return "new" if batch == self.newest else "earlier"


def select(ds: Dataset, f: Filters, color: str, today: dt.date) -> Selection:
    """The view a state shows; memoised per dataset and view (bounded), so every part of a
    rerun, and every visitor of the same view, reads the same object."""
    return _select(ds, f, color, today)


@functools.lru_cache(maxsize=512)
def _select(ds: Dataset, f: Filters, color: str, today: dt.date) -> Selection:
    fields = point_fields(ds)
    day = f.day(today)
    d = day_number(day)
    zones = ds.zones
    b = ds.batches
    batch_day = {int(n): day_number(a) for n, a in zip(b["batch"], b["approved_on"], strict=True)}
    chosen = tuple(sorted(set(f.batches)))
    approved = tuple(b for b in chosen if batch_day.get(b, NEVER) <= d)
    later = tuple(b for b in chosen if b not in approved)
    regions = tuple(vocab.REGIONS.index(r) for r in (f.regions or vocab.REGIONS))
    names = list(ds.provinces["province_en"])
    provinces = tuple(names.index(p) for p in f.provinces) if f.provinces else None
    if provinces is None:
        provinces = tuple(range(len(names)))
    categories: Categories = (("b", chosen), ("rg", regions), ("pv", provinces))
    q = f.q.strip()
    found = None
    if q:  # a name search: the matching zones among the others, by their index
        hits = keep(fields, categories, d) & matches(zones, q)
        found = tuple(int(i) for i in np.flatnonzero(hits))
    in_view = keep(fields, categories, d, found)
    context = (("b", chosen),)
    p = ds.provinces
    if f.provinces:
        outlined = tuple(p.loc[p["province_en"].isin(f.provinces), "adcode"])
    elif f.regions:
        outlined = tuple(p.loc[p["region_en"].isin(f.regions), "adcode"])
    else:
        outlined = ()
    return Selection(
        day=day,
        day_n=d,
        color=color,
        batches=chosen,
        approved=approved,
        later=later,
        newest=max(approved) if approved else None,
        narrowed=bool(f.regions or f.provinces or q),
        categories=categories,
        matches=found,
        context_categories=context,
        in_view=in_view,
        in_batches=keep(fields, context, d),
        withdrawn=fields["r"] <= d,
        zones=zones[in_view],
        outlined=outlined,
    )


# --- what the view says ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """The numbers behind the headline and the cards: the newest chosen batch against the
    chosen ones before it, counting every zone each batch approved (as the announcements did),
    withdrawn since or not. Shares are None where there is nothing to divide by."""

    newest: int | None
    n_new: int  # zones of the newest batch
    n_earlier: int  # zones of the earlier chosen batches (approved by the day)
    # Not narrowed: zones in the priority regions. Narrowed: zones in view.
    k_new: int
    k_earlier: int
    narrowed: bool
    later: tuple[int, ...]  # chosen batches not approved by the day

    @property
    def share_new(self) -> float | None:
        return self.k_new / self.n_new if self.n_new else None

    @property
    def share_earlier(self) -> float | None:
        return self.k_earlier / self.n_earlier if self.n_earlier else None

    @property
    def delta_pp(self) -> float | None:
        if self.share_new is None or self.share_earlier is None:
            return None
        return (self.share_new - self.share_earlier) * 100

    @property
    def kind(self) -> str:
        """Which sentence tells it: none (nothing chosen), not_yet (none approved by the day),
        single (one batch, nothing earlier to compare with), or rose / fell / same."""
        if self.newest is None:
            return "not_yet" if self.later else "none"
        if not self.n_earlier:
            return "single"
        delta = self.delta_pp or 0.0
        return "rose" if delta > 0.05 else "fell" if delta < -0.05 else "same"


def story(ds: Dataset, sel: Selection) -> Story:
    """The headline's numbers for a selection. Without a region, province or search filter it
    is the priority regions' share of the new zones against the earlier ones (the July 2018
    announcement's measure); with one, the share of the new and of the earlier zones that the
    view holds, so the sentence speaks of what the map shows."""
    batch = ds.zones["batch"].to_numpy()
    new = sel.in_batches & (batch == sel.newest) if sel.newest else np.zeros(len(batch), bool)
    earlier = sel.in_batches & ~new
    if sel.narrowed:
        counted = sel.in_view
    else:
        counted = ds.zones["region_en"].isin(PRIORITY_REGIONS).to_numpy()
    return Story(
        newest=sel.newest,
        n_new=int(new.sum()),
        n_earlier=int(earlier.sum()),
        k_new=int((new & counted).sum()),
        k_earlier=int((earlier & counted).sum()),
        narrowed=sel.narrowed,
        later=sel.later,
    )


def legend(ds: Dataset, sel: Selection) -> list[dict]:
    """The legend's rows for what is drawn, with the counts the map draws: a colour group
    counts its zones withdrawn since as well (drawn as rings in the group's colour), so the
    legend's numbers are the headline's; the ring's row says how many of them are withdrawn."""
    z = sel.zones
    withdrawn = sel.withdrawn[sel.in_view]
    rows: list[dict] = []
    if sel.color == "batch":
        counts = Counter(int(b) for b in z["batch"])
        for b in sel.approved:
            if counts[b]:
                rows.append({"kind": "dot", "group": str(b), "batch": b, "n": counts[b]})
    elif sel.newest is not None:
        n_new = int((z["batch"] == sel.newest).sum())
        if len(sel.approved) > 1:
            rows.append({"kind": "dot", "group": "earlier", "n": len(z) - n_new})
        rows.append({"kind": "dot", "group": "new", "batch": sel.newest, "n": n_new})
    if withdrawn.any():
        rows.append({"kind": "ring", "group": "withdrawn", "n": int(withdrawn.sum())})
    unverified = int((z["confidence"] == "unverified").sum())
    if unverified:
        rows.append({"kind": "dashed", "group": "unverified", "n": unverified})
    approx = int(((z["precision"] != "seat").to_numpy() & ~withdrawn).sum())
    if approx:
        rows.append({"kind": "faded", "group": "approx", "n": approx})
    if sel.n_context:
        rows.append({"kind": "grey", "group": "outside", "n": sel.n_context})
    return rows
