"""One translator: the interface's strings in one catalogue file per language
(`cbec/locales/<lang>.toml`), plus numbers, dates, plurals and the data's own two-language columns.

    tr = i18n.For("zh")
    tr("m_zones")                      # a catalogue string, ready for Markdown
    tr("nz_found", name=place_name)    # values are escaped: what a visitor typed stays text
    tr.n("zones_n", 3)                 # plural forms ("1 zone", "3 zones"; Chinese has one form)
    tr.text("c_batch")                 # plain text, for tables, charts and option labels
    tr.col(frame, "name")              # the frame's name_zh or name_en column

Markdown is only ever the catalogue's own: every value filled into a string is escaped unless it
is itself a string the translator made (`Md`). Adding a language is one new file in
`cbec/locales/`: its `[lang]` table says its name, which of the data's name columns it reads, and
how it writes lists, dates and percentage points.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from functools import cache
from pathlib import Path

import pandas as pd

LOCALES = Path(__file__).parent / "locales"


def languages(folder: Path) -> tuple[str, ...]:
    """The languages with a catalogue file in `folder`: English first (the fallback), then the
    others in the order of their codes."""
    return tuple(sorted((p.stem for p in folder.glob("*.toml")), key=lambda c: (c != "en", c)))


LANGS = languages(LOCALES)
PLURAL_FORMS = ("one", "other")

# Everything CommonMark, GitHub and Streamlit's Markdown give a meaning to: links and images,
# emphasis, code, HTML, tables, headings, lists, LaTeX ($), Streamlit's :colour[...] and
# :material/icon: directives, autolinked www. / https: / e-mail addresses.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:@&])")


class Md(str):
    """Text that is already safe Markdown (a catalogue string with escaped values)."""


# Streamlit's Markdown also turns bare "https://...", "www...." and e-mail addresses into links
# after escapes are read, so a zero-width space goes where the link would start: the text reads
# the same and stays text.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)(?=\\[:.])|(@)")
ZWSP = "\u200b"


def escape_md(text: str) -> Md:
    """Backslash-escape Markdown's special characters so the text shows as written, and break
    what would be autolinked."""
    if isinstance(text, Md):
        return text
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
    return Md(_AUTOLINK.sub(lambda m: (m.group(1) or m.group(2)) + ZWSP, escaped))


def plain(text: str) -> str:
    """Markdown from the catalogue as the words a reader sees (for an image, not a page):
    escapes undone, emphasis markers and the zero-width spaces dropped."""
    text = re.sub(r"\*\*|__", "", str(text))
    return re.sub(r"\\(.)", r"\1", text).replace(ZWSP, "")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat catalogue of a language: tables become dotted keys ("region.East")."""
    with open(LOCALES / f"{lang}.toml", "rb") as fh:
        raw = tomllib.load(fh)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for k, v in node.items():
            if isinstance(v, dict):
                walk(f"{prefix}{k}.", v)
            else:
                flat[prefix + k] = v

    walk("", raw)
    return flat


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class For:
    """The translator for one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "en"
        self._strings = catalogue(self.lang)
        self._fallback = catalogue("en")
        # read once: names and dates are asked for many times on every rerun
        data = self._template("lang.data")
        self._data_lang = data if data in ("en", "zh") else "en"  # the data's two languages
        self._months = self._template("lang.months").split()
        self._months_short = self._template("lang.months_short").split()

    def _template(self, key: str) -> str:
        return self._strings.get(key) or self._fallback[key]

    def __call__(self, key: str, **values) -> Md:
        """The string for `key` with `values` filled in, each escaped: safe for Markdown."""
        safe = {k: v if not isinstance(v, str) else escape_md(v) for k, v in values.items()}
        return Md(self._template(key).format(**safe))

    def template(self, key: str) -> str:
        """The string as written, placeholders unfilled: for templates that another program
        fills (deck.gl's tooltips fill {name} from the data, as text)."""
        return self._template(key)

    def text(self, key: str, **values) -> str:
        """Plain text, for places that do not render Markdown (tables, charts, tooltips,
        option labels)."""
        return self._template(key).format(**values)

    def n(self, key: str, n: int, **values) -> Md:
        """A plural: `key.one` for exactly one in English, else `key.other`."""
        form = "one" if n == 1 and f"{key}.one" in self._strings else "other"
        return self(f"{key}.{form}", n=n, **values)

    def counted(self, key: str, count: int, **values) -> Md:
        """A plural chosen by `count`, which need not be a value of the string (a sentence
        about 22 new zones and 1 earlier one takes its form from the 1)."""
        form = "one" if count == 1 and f"{key}.one" in self._strings else "other"
        return self(f"{key}.{form}", **values)

    def n_text(self, key: str, n: int, **values) -> str:
        form = "one" if n == 1 and f"{key}.one" in self._strings else "other"
        return self.text(f"{key}.{form}", n=n, **values)

    # --- the data's own languages ---------------------------------------------------------------

    @property
    def data_lang(self) -> str:
        """Which of the data's languages ("en" or "zh") this interface reads names from."""
        return self._data_lang

    def colname(self, base: str) -> str:
        """`name` -> `name_zh` in Chinese, `name_en` in English (also province, region, title):
        the data's column that the language's `[lang] data` names."""
        return f"{base}_{self.data_lang}"

    def textcol(self, base: str) -> str:
        """The data's text columns whose English one has no suffix: `note` -> `note_zh` in
        Chinese, `note` otherwise (also summary, point_note)."""
        return f"{base}_zh" if self.data_lang == "zh" else base

    def other_colname(self, base: str) -> str:
        """The data's other language: `name` -> `name_en` in Chinese, `name_zh` otherwise."""
        return f"{base}_{'en' if self.data_lang == 'zh' else 'zh'}"

    def col(self, rows, base: str):
        """The column (of a frame) or field (of a row) holding `base` in this language."""
        return rows[self.colname(base)]

    def region(self, region_en: str) -> str:
        return self._strings.get(f"region.{region_en}", region_en)

    def level(self, level_en: str) -> str:
        return self._strings.get(f"level.{level_en}", level_en)

    def confidence(self, value: str) -> str:
        return self._strings.get(f"confidence.{value}", value)

    def meaning(self, column: str) -> str:
        """What a column of the data means (the data dictionary)."""
        return self._strings.get(f"col.{column}", column)

    # --- numbers and dates ----------------------------------------------------------------------

    def date(self, value: dt.date | pd.Timestamp) -> str:
        return self._template("lang.date").format(**self._parts(value))

    def month(self, value: dt.date | pd.Timestamp) -> str:
        return self._template("lang.month").format(**self._parts(value))

    def _parts(self, value: dt.date | pd.Timestamp) -> dict:
        i = value.month - 1
        return {
            "y": value.year, "m": value.month, "d": value.day,
            "mon": self._months_short[i],
            "month": self._months[i],
        }  # fmt: skip

    def pct(self, share: float | None, digits: int = 1) -> str:
        """A share as a percentage; "–" where there is nothing to divide by (never "nan%")."""
        return "–" if share is None else f"{share * 100:.{digits}f}%"

    def pp(self, points: float) -> str:
        """A change in percentage points, signed."""
        return f"{points:+.1f}{self._template('lang.pp_unit')}"

    def join(self, items) -> str:
        return self._template("lang.list_sep").join(items)


@cache
def tr(lang: str) -> For:
    """The shared translator of a language (they hold no per-visitor state)."""
    return For(lang)


LANG_NAMES = {lang: catalogue(lang).get("lang.name", lang) for lang in LANGS}  # the switch
