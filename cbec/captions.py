"""What a view says in words: the headline, the caption under the map and the legend's labels,
for the page and for the image of the map (cbec.picture) alike, so the two never disagree. Pure:
catalogue strings and the view's `Selection`, no Streamlit."""

from __future__ import annotations

import datetime as dt

from cbec import colors, i18n, selection
from cbec.filters import DEFAULT_BATCHES
from cbec.selection import Selection, Story
from cbec.urlstate import State


def batches_label(ds, tr: i18n.For, batches: tuple[int, ...]) -> str:
    if not batches:
        return tr.text("cap_no_batch")
    if batches == tuple(int(b) for b in ds.batches["batch"]):
        return tr.text("cap_all_batches")
    return tr.n_text("cap_batches", len(batches), batches=", ".join(map(str, batches)))


def month_of(ds, batch: int) -> dt.date:
    return ds.batches.set_index("batch").loc[batch, "approved_on"].date()


def headline_text(s: Story, tr: i18n.For, ds, day: dt.date) -> i18n.Md:
    """The one sentence, in words where a number would mean nothing (nothing chosen, nothing
    approved yet, nothing earlier to compare with)."""
    kind = s.kind
    if kind == "none":
        return tr("hl_none")
    if kind == "not_yet":
        return tr("hl_not_yet", date=tr.date(day))
    assert s.newest is not None  # the kinds above are the stories without a newest batch
    month = tr.month(month_of(ds, s.newest))
    view = "_view" if s.narrowed else ""
    if kind == "single":
        text = tr.counted(
            f"hl_single{view}", s.n_new, month=month, n=s.n_new, k=s.k_new,
            share=tr.pct(s.share_new),
        )  # fmt: skip
    else:
        text = tr.counted(
            f"hl_{kind}{view}",
            s.n_earlier,
            month=month,
            n=s.n_new,
            k=s.k_new,
            new=tr.pct(s.share_new),
            n_old=s.n_earlier,
            k_old=s.k_earlier,
            old=tr.pct(s.share_earlier),
        )
    if s.later:
        first = month_of(ds, s.later[0])
        text = i18n.Md(
            text
            + " "
            + tr.n(
                "hl_later", len(s.later), batches=tr.join(map(str, s.later)), date=tr.date(first)
            )
        )
    return text


def describe(ds, tr: i18n.For, state: State, sel: Selection) -> i18n.Md:
    """What a view shows, in words: the caption under the map and the image's second line."""
    if state.batches == DEFAULT_BATCHES:
        parts = [tr.text("cap_july_2018")]
    else:
        parts = [batches_label(ds, tr, state.batches)]  # all of them: "all batches"
    if state.regions:
        parts.append(tr.join(tr.region(r) for r in state.regions))
    if state.provinces:
        names = dict(
            zip(ds.provinces["province_en"], tr.col(ds.provinces, "province"), strict=True)
        )
        parts.append(tr.join(names[p] for p in state.provinces))
    if state.q:
        parts.append(tr.text("cap_search", q=state.q))
    parts.append(tr.text("cap_as_of", date=tr.date(sel.day)))
    grey = tr.text("cap_grey") if sel.narrowed else ""
    return i18n.Md(
        tr("cap_view", what=" · ".join(parts), n=sel.n)
        + (i18n.escape_md(" " + grey) if grey else "")
    )


def legend_rows(ds, sel: Selection, tr: i18n.For) -> list[tuple[str, str, str]]:
    """(swatch kind, colour, label) for each row of the legend, in the interface language."""
    rows = []
    for item in selection.legend(ds, sel):
        group, n = item["group"], item["n"]
        if group == "new":
            color = colors.NEW if sel.color == "story" else colors.BATCH[item["batch"]]
            label = tr.text("legend_new", month=tr.month(month_of(ds, item["batch"])), n=n)
        elif group == "earlier":
            color, label = colors.EARLIER, tr.text("legend_earlier", n=n)
        elif item["kind"] == "dot":  # a batch
            b = item["batch"]
            color = colors.BATCH[b]
            label = tr.text("legend_batch", batch=b, year=month_of(ds, b).year, n=n)
        elif group == "withdrawn":
            color, label = colors.POINT_OUTLINE, tr.text("legend_withdrawn", n=n)
        elif group == "unverified":
            color, label = colors.POINT_OUTLINE, tr.text("legend_unverified", n=n)
        elif group == "approx":
            color, label = colors.EARLIER, tr.text("legend_approx", n=n)
        else:  # outside the other filters
            color, label = colors.CONTEXT, tr.text("legend_grey", n=n)
        rows.append((item["kind"], colors.hex_(color), label))
    if sel.newest is None:
        rows.append(("none", "", tr.text("legend_nothing")))
    rows.append(("area", colors.hex_(colors.PRIORITY_LAND), tr.text("legend_priority")))
    if sel.narrowed and sel.outlined:
        rows.append(("outline", colors.hex_(colors.CHOSEN_OUTLINE), tr.text("legend_chosen")))
    rows.append(("frame", colors.hex_(colors.FRAME), tr.text("legend_insets")))
    return rows
