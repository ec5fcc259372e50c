"""Make the font the map's image is drawn with: a subset of Noto Sans CJK SC (SIL Open Font
Licence 1.1) holding every character the app's text and data use, renamed as the licence asks
of a modified font, shipped in `cbec/fonts/`.

Run as `python -m cbec.pipeline.font [--source NotoSansCJK-Regular.ttc]` (Debian's
`fonts-noto-cjk`; the source is read at build time only).

Why ship one: the image download (`cbec.picture`) must show Chinese on a server that has no CJK
font (Streamlit Community Cloud has none), and a browser's fonts do not help a PNG made on the
server. The subset is about a tenth of the full font.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from cbec import paths
from cbec.paths import FONT
from cbec.picture import FAMILY  # not "Noto": a modified font takes a name of its own (OFL §3)

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_LICENCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
LICENCE = FONT.parent / "OFL.txt"
# Where the characters come from: every string of the interface and every data file a view's
# title, description or legend can quote.
TEXTS = (
    paths.ROOT / "cbec" / "locales" / "en.toml",
    paths.ROOT / "cbec" / "locales" / "zh.toml",
    paths.ZONES_CSV,
    paths.BATCHES_CSV,
    paths.PROVINCES_CSV,
)
EXTRA = "".join(chr(c) for c in range(0x20, 0x7F)) + "·–—…‘’“”、，。：；（）《》〔〕？！℃°±×÷→←↑↓"


def characters() -> str:
    """Every character the subset must hold, sorted (so the file is the same run to run)."""
    chars = set(EXTRA)
    for path in TEXTS:
        chars |= set(path.read_text(encoding="utf-8"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def build(source: Path = SOURCE) -> bytes:
    """The subset font, as bytes of an OpenType (CFF) file named FAMILY."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(source)).fonts
    (font,) = [f for f in fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC"]
    options = subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]  # keep copyright and licence
    options.layout_features = ["kern", "liga", "locl", "palt", "vert"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=characters())
    sub.subset(font)
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 4, 16):
            names.setName(FAMILY if rec.nameID != 4 else f"{FAMILY} Regular", rec.nameID,
                          rec.platformID, rec.platEncID, rec.langID)  # fmt: skip
        elif rec.nameID in (3, 6):
            names.setName("CBECSansSC-Regular", rec.nameID, rec.platformID, rec.platEncID,
                          rec.langID)  # fmt: skip
    names.names = [r for r in names.names if r.nameID not in (16, 17) or r.langID == 0x409]
    font.recalcTimestamp = False  # the same bytes on every build
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def licence_text(copyright_file: Path = SOURCE_LICENCE) -> str:
    """The SIL Open Font Licence 1.1 as Debian's copyright file quotes it, unindented."""
    text = copyright_file.read_text(encoding="utf-8")
    block = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.M)
    if block is None:
        raise ValueError(f"{copyright_file.name}: no SIL-1.1 licence text")
    lines = [ln[1:] for ln in block.group(1).splitlines()]
    body = "\n".join("" if ln == "." else ln for ln in lines)
    return (
        "CBEC Sans SC: a subset of Noto Sans CJK SC (Copyright 2014-2021 Adobe, with Reserved\n"
        "Font Name 'Source'; https://github.com/googlefonts/noto-cjk), renamed, made by\n"
        "cbec/pipeline/font.py. Licensed under the SIL Open Font License, Version 1.1:\n\n"
        + body.strip()
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.font", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--source", type=Path, default=SOURCE, help="NotoSansCJK-Regular.ttc")
    args = ap.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source}: not found (apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 1
    paths.write_bytes_atomic(FONT, build(args.source))
    paths.write_text_atomic(LICENCE, licence_text())
    print(f"{len(characters())} characters -> {FONT} ({FONT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
