"""Data-derived text made safe for Markdown: no markup from the data reaches the page."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_md(text: str) -> str:
    """Backslash-escape Markdown's special characters so the text shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def sources(source_url: str) -> list[str]:
    """The http(s) URLs of a `source_url` cell (separated by " | "); anything else is dropped."""
    out = []
    for part in source_url.split("|"):
        url = part.strip()
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            out.append(url)
    return out


def md_link(url: str) -> str:
    """A Markdown link to `url` labelled with its host; brackets and spaces are percent-encoded."""
    host = urlsplit(url).netloc
    safe_url = quote(url, safe=":/?&=#%.,;@!$'*+~-_")
    return f"[{escape_md(host)}]({safe_url})"


def html_escape(text: str) -> str:
    """For the few HTML snippets built from catalogue strings and numbers (legends)."""
    import html

    return html.escape(text, quote=True)
