"""Slugs: the lowercase ASCII names used in zone ids and URLs."""

import re
import unicodedata


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens: "Xi'an" -> "xian", "Inner Mongolia" -> "inner-mongolia"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("'", "").replace("\u2019", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
