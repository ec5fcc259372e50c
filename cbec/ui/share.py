"""Take the view away: its link (to copy, or as a QR code for a phone or WeChat), an embed
snippet, and the map as an image (PNG, SVG) made from the very selection on screen."""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
from urllib.parse import urlencode, urlsplit

import streamlit as st

from cbec import captions, colors, i18n, picture, selection, urlstate
from cbec.data import Dataset
from cbec.selection import Selection
from cbec.ui.shared import Run
from cbec.urlstate import State, UrlContext
from cbec.vocab import PRIORITY_REGIONS

FALLBACK_BASE = "http://localhost:8501/"  # where the browser's address is unknown (tests)


def link(base: str | None, state: State, ctx: UrlContext) -> str:
    """The exact view's address: the app's address and the view's query, as the URL bar has it."""
    query = urlencode(urlstate.encode(state, ctx), doseq=True)
    base = (base or FALLBACK_BASE).split("?")[0].split("#")[0]
    if urlsplit(base).path == "":
        base += "/"  # http://host:port -> http://host:port/, as a browser writes it
    return f"{base}?{query}" if query else base


def embed_snippet(url: str, tr: i18n.For) -> str:
    """An <iframe> of the view in Streamlit's embed mode (no menu, no padding)."""
    src = url + ("&" if "?" in url else "?") + "embed=true"
    title = html.escape(tr.text("app_title"), quote=False).replace('"', "&quot;")
    return (
        f'<iframe src="{html.escape(src, quote=True)}" title="{title}" width="100%" '
        'height="720" style="border:0" loading="lazy"></iframe>'
    )


@functools.lru_cache(maxsize=256)  # a few ms each; one per view shared, bounded
def qr_png(url: str) -> bytes:
    """The link as a QR code (medium error correction: it survives a phone's photo of a screen)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return out.getvalue()


def picture_of(
    ds: Dataset, tr: i18n.For, state: State, sel: Selection, url: str, today: dt.date
) -> picture.Picture:
    """What the image shows: the headline, the caption and the legend the page shows for this
    selection, its points coloured as the deck colours them, the source line and the link."""
    z = ds.zones
    points = []
    if sel.narrowed:
        for _, r in z[sel.in_batches & ~sel.in_view].iterrows():
            points.append(picture.Point(r["lon"], r["lat"], colors.hex_(colors.CONTEXT), "grey"))
    withdrawn = sel.withdrawn[sel.in_view]
    for (_, r), gone in zip(sel.zones.iterrows(), withdrawn, strict=True):
        group = sel.group_of(int(r["batch"]))
        rgb = {"new": colors.NEW, "earlier": colors.EARLIER}.get(group)
        color = colors.hex_(rgb or colors.BATCH[int(r["batch"])])
        kind = "ring" if gone else "dashed" if r["confidence"] == "unverified" else "dot"
        points.append(picture.Point(r["lon"], r["lat"], color, kind))
    prov = ds.provinces
    story = selection.story(ds, sel)
    return picture.Picture(
        title=i18n.plain(captions.headline_text(story, tr, ds, sel.day)),
        description=i18n.plain(captions.describe(ds, tr, state, sel)),
        legend=tuple(r for r in captions.legend_rows(ds, sel, tr) if r[0] != "frame"),
        points=tuple(points),
        outlined=sel.outlined if sel.narrowed else (),
        priority=tuple(prov.loc[prov["region_en"].isin(PRIORITY_REGIONS), "adcode"]),
        source=tr.text("img_source"),
        made=tr.text("img_made", link=url, date=tr.date(today)),
        lang=tr.lang,
    )


def panel(run: Run, state: State, sel: Selection) -> None:
    """Link, QR code, embed snippet and the image downloads of the view on screen."""
    tr = run.tr
    url = link(st.context.url, state, run.ctx)
    with st.expander(tr("share_title"), icon=":material/share:"):
        st.caption(tr("share_link"))
        st.code(url, language=None, wrap_lines=True)
        left, right = st.columns([1, 2])
        with left:
            st.image(qr_png(url), caption=tr.text("share_qr"), width=180)
        with right:
            st.caption(tr("share_embed"))
            st.code(embed_snippet(url, tr), language="html", wrap_lines=True)
        stem = f"cbec_map_{state.lang}"

        def image(fmt: str) -> bytes:  # made only when asked for (about 1 s), not every run
            return picture.render(picture_of(run.ds, tr, state, sel, url, run.today), fmt)

        formats = (("png", tr("share_png"), "image/png", ":material/image:"),
                   ("svg", tr("share_svg"), "image/svg+xml", ":material/draw:"))  # fmt: skip
        with st.container(horizontal=True):
            for fmt, label, mime, icon in formats:
                st.download_button(
                    label,
                    functools.partial(image, fmt),
                    file_name=f"{stem}.{fmt}",
                    mime=mime,
                    icon=icon,
                    on_click="ignore",  # a click that reran the map part lost the file (1 in 3)
                    key=f"share_{fmt}",
                )
