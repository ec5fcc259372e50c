"""The view to take away: the map as PNG and SVG (made from the selection on screen, in the
shipped font), the link, its QR code and the embed snippet."""

import datetime as dt
import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

from cbec import captions, colors, data, i18n, paths, picture, selection, urlstate
from cbec.pipeline import font
from cbec.ui import share
from cbec.urlstate import State
from support.apptest import open_app

TODAY = dt.date(2026, 12, 7)
VIEW = State(batches=(1, 2, 3, 4), regions=("West",))
URL = "https://example.org/?batch=1-4&region=west"


@pytest.fixture(scope="module")
def ds():
    return data.dataset()


def made(ds, lang: str, state: State = VIEW) -> picture.Picture:
    state = replace(state, lang=lang)
    sel = selection.select(ds, state.filters, state.color, TODAY)
    return share.picture_of(ds, i18n.tr(lang), state, sel, URL, TODAY)


def near(img: np.ndarray, rgb, tol: int = 12) -> int:
    """Pixels within `tol` of a colour."""
    return int((np.abs(img[..., :3].astype(int) - np.array(rgb)).max(axis=-1) <= tol).sum())


# --- the font -----------------------------------------------------------------------------------


def test_the_font_holds_every_character_the_app_and_its_data_write():
    """A catalogue string or a zone added without rebuilding the font would draw boxes."""
    missing = set(font.characters()) - picture.glyphs()
    assert missing == set()
    assert font.FONT.stat().st_size < 400_000  # a subset, not the 16 MB family
    assert "SIL Open Font License, Version 1.1" in font.LICENCE.read_text(encoding="utf-8")


@pytest.mark.skipif(not font.SOURCE.exists(), reason="needs Debian's fonts-noto-cjk")
def test_the_font_is_what_the_build_makes():
    assert font.build() == font.FONT.read_bytes()
    assert font.licence_text() == font.LICENCE.read_text(encoding="utf-8")


def test_a_character_the_font_lacks_is_shown_as_a_question_mark():
    assert picture.drawable("杭州 𠀀 Xi'an") == "杭州 ? Xi'an"


# --- the image ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_png_is_the_view_on_screen_at_print_width(ds, lang):
    p = made(ds, lang)
    img = np.asarray(Image.open(io.BytesIO(picture.render(p, "png"))).convert("RGB"))
    assert img.shape[1] >= 1600
    # the view's colours: 4 new zones and 8 earlier ones in the West, 47 in grey outside it,
    # the priority regions tinted
    assert near(img, colors.NEW) > 4 * 100 and near(img, colors.EARLIER) > 8 * 100
    assert near(img, colors.CONTEXT, 6) > 47 * 30
    assert near(img, colors.PRIORITY_LAND, 3) > 200_000
    kinds = [q.kind for q in p.points]
    assert kinds.count("dot") == 12 and kinds.count("grey") == 47


def test_the_picture_says_what_the_page_says(ds):
    state = replace(VIEW, lang="en")
    sel = selection.select(ds, state.filters, state.color, TODAY)
    p = made(ds, "en")
    headline = captions.headline_text(selection.story(ds, sel), i18n.tr("en"), ds, sel.day)
    assert p.title == i18n.plain(headline)
    assert p.title.startswith("December 2019: 4 of the 24 new zones are in this view (16.7%)")
    assert p.description.startswith("On the map: batches 1, 2, 3, 4 · West")
    labels = [label for _, _, label in p.legend]
    assert "Earlier zones · 8" in labels and "New in December 2019 · 4" in labels
    assert not any("enlarged" in label for label in labels)  # the deltas' insets are not drawn


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_svg_keeps_its_words_as_text_with_the_font_inside(ds, lang):
    p = made(ds, lang)
    svg = picture.render(p, "svg")
    root = ET.fromstring(svg)
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    flat = "".join(words.split())  # lines are wrapped: compare without the breaks
    for part in (p.title, p.description, p.source, p.made):
        assert "".join(part.split()) in flat, part[:40]
    assert "".join(i18n.tr(lang).text("img_source").split()) in flat
    assert "@font-face" in words and "font/otf;base64," in words
    assert picture.FAMILY in svg.decode()


def test_chinese_is_drawn_on_a_machine_without_cjk_fonts(ds, tmp_path):
    """The image's glyphs come from the shipped font only: with matplotlib told that the machine
    has no fonts at all, the Chinese PNG is the same, pixel for pixel, with no glyph missing."""
    here = tmp_path / "here.png"
    here.write_bytes(picture.render(made(ds, "zh"), "png"))
    bare = tmp_path / "bare.png"
    script = f"""
import datetime as dt, sys, warnings
warnings.simplefilter("error")  # a missing glyph is a warning: make it fatal
import matplotlib.font_manager as fm
fm.findSystemFonts = lambda *a, **k: []
sys.path.insert(0, {str(paths.ROOT)!r})
from tests.test_picture import made
from cbec import data, picture
open({str(bare)!r}, "wb").write(picture.render(made(data.dataset(), "zh"), "png"))
"""
    env = os.environ | {"MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    a = np.asarray(Image.open(here).convert("RGB"))
    b = np.asarray(Image.open(bare).convert("RGB"))
    assert a.shape == b.shape and (a != b).any(axis=-1).sum() == 0


def test_an_unknown_format_is_refused(ds):
    with pytest.raises(ValueError, match="pdf"):
        picture.render(made(ds, "en"), "pdf")


# --- link, QR code, embed -----------------------------------------------------------------------


def test_the_link_is_the_view(ds):
    ctx = data_context(ds)
    url = share.link("https://cbec.example/", VIEW, ctx)
    query = parse_qs(urlsplit(url).query)
    state, dropped = urlstate.decode(query, ctx)
    assert dropped == [] and state.filters == VIEW.filters
    assert share.link(None, State(), ctx).startswith(share.FALLBACK_BASE)
    assert share.link("http://127.0.0.1:8501", VIEW, ctx).startswith("http://127.0.0.1:8501/?")


def data_context(ds):
    from cbec.ui.shared import context

    return context(ds)


def test_the_qr_code_decodes_to_the_link():
    import zxingcpp

    url = "https://cbec.example/?batch=1-4&region=west&lang=zh"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(share.qr_png(url))))
    assert [r.text for r in found] == [url]


def test_the_embed_snippet_opens_the_same_view_in_embed_mode():
    url = "https://cbec.example/?batch=1-4&region=west"
    snippet = share.embed_snippet(url, i18n.tr("en"))
    src = snippet.split('src="')[1].split('"')[0].replace("&amp;", "&")
    assert src == url + "&embed=true"
    assert snippet.startswith("<iframe ") and 'title="' in snippet


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_map_page_offers_the_link_qr_embed_and_images(lang):
    at = open_app({"batch": ["1", "2", "3", "4"], "region": "west", "lang": lang})
    tr = i18n.tr(lang)
    assert [e.label for e in at.expander if e.label == tr.text("share_title")]
    codes = [c.value for c in at.code]
    link = next(c for c in codes if c.startswith(share.FALLBACK_BASE))
    assert "region=west" in link and "embed=true" in next(c for c in codes if "<iframe" in c)
    labels = [b.label for b in at.get("download_button")]
    assert tr.text("share_png") in labels and tr.text("share_svg") in labels
