"""The map of a view as an image to take away: PNG (2,000 px wide, for print) and SVG (text kept
as text, the font embedded), with the view's title, what it shows, the legend, the South China
Sea inset, the source line, the link and the date it was made.

Drawn with matplotlib from the files the app ships (province outlines, the inset) and the very
`Selection` the map on screen draws, in the font the project ships (`cbec/fonts/`), never a
system font: a server without CJK fonts (Streamlit Community Cloud) still draws Chinese. Pure:
`render(picture, "png" | "svg") -> bytes`; what goes in the picture is decided by the caller
(`cbec.ui.share.picture_of`).
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import textwrap
from dataclasses import dataclass
from functools import cache

from cbec import colors, paths
from cbec.paths import FONT

FAMILY = "CBEC Sans SC"  # the shipped font's name (made by cbec/pipeline/font.py)
EXTENT = (73.0, 135.5, 17.0, 54.0)  # lon, lon, lat, lat: the mainland, Hainan and the inset
WIDTH_IN, DPI = 10.0, 200  # 2,000 px wide


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float
    color: str  # "#rrggbb"
    kind: str  # dot, ring (withdrawn), dashed (named by no source), grey (outside the filters)


@dataclass(frozen=True)
class Picture:
    title: str
    description: str
    legend: tuple[tuple[str, str, str], ...]  # (swatch kind, "#rrggbb", label)
    points: tuple[Point, ...]
    outlined: tuple[str, ...]  # adcodes of the provinces a filter chose
    priority: tuple[str, ...]  # adcodes of the priority regions' provinces (tinted)
    source: str  # the source line
    made: str  # the link and the date it was made
    lang: str


def _merc(lat: float) -> float:
    """Web Mercator's y, in degrees, so the image has the shapes the map on screen has."""
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    polys = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polys = [polys]
    return [[(x, _merc(y)) for x, y in poly[0]] for poly in polys]  # outer rings only


@cache
def _shapes() -> tuple[list[dict], list[dict]]:
    provinces = json.loads(paths.PROVINCE_OUTLINES.read_text(encoding="utf-8"))["features"]
    inset = json.loads(paths.SCS_INSET.read_text(encoding="utf-8"))["features"]
    return provinces, inset


@cache
def _font() -> str:
    """Register the shipped font with matplotlib once; its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT))
    return FAMILY


@cache
def glyphs() -> frozenset[str]:
    """The characters the shipped font draws."""
    from fontTools.ttLib import TTFont

    return frozenset(chr(c) for c in TTFont(str(FONT))["cmap"].getBestCmap())


def drawable(text: str) -> str:
    """`text` with any character the font lacks (a visitor's search may hold anything) shown as
    "?", so that no glyph is drawn as an empty box."""
    have = glyphs()
    return "".join(c if c in have or c in "\n" else "?" for c in text)


def _wrap(text: str, lang: str, width: int) -> str:
    """Lines of at most `width` columns (a Chinese character takes two); Chinese breaks between
    characters, never inside a number or a Latin word."""
    text = drawable(text)
    if lang != "zh":
        return "\n".join(textwrap.wrap(text, width=width))
    lines, line, used = [], "", 0
    for token in re.findall(r"[A-Za-z0-9.,%:/&?=_'’+\-]+|\s+|.", text):
        cols = sum(2 if ord(c) > 0x2E7F else 1 for c in token)
        if used + cols > width and line.strip():
            lines.append(line.rstrip())
            line, used = token.lstrip(), len(token.lstrip())
        else:
            line, used = line + token, used + cols
    return "\n".join([*lines, line.rstrip()])


def _figure(p: Picture):
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    family = _font()
    fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * 0.72), dpi=DPI, facecolor="white")

    def say(y: float, words: str, size: float, color: str = "#000") -> None:
        fig.text(0.03, y, words, va="top", fontsize=size, color=color, fontfamily=family)

    say(0.975, _wrap(p.title, p.lang, 78), 15)
    say(0.865, _wrap(p.description, p.lang, 110), 9.5, "#444")

    ax = fig.add_axes((0.03, 0.095, 0.66, 0.69))
    ax.set_facecolor(colors.hex_(colors.SEA))
    lon0, lon1, lat0, lat1 = EXTENT
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(_merc(lat0), _merc(lat1))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    provinces, inset = _shapes()
    for f in provinces:
        code = f["properties"]["adcode"]
        fill = colors.PRIORITY_LAND if code in p.priority else colors.LAND
        chosen = code in p.outlined
        for ring in _rings(f["geometry"]):
            ax.add_patch(Polygon(
                ring, closed=True, facecolor=colors.hex_(fill),
                edgecolor=colors.hex_(colors.CHOSEN_OUTLINE if chosen else colors.OUTLINE),
                linewidth=1.2 if chosen else 0.35, zorder=2 if chosen else 1,
            ))  # fmt: skip
    for f in inset:
        kind, geom = f["properties"]["kind"], f["geometry"]
        if kind == "line":
            for line in geom["coordinates"]:
                ax.plot([x for x, _ in line], [_merc(y) for _, y in line], color="#777",
                        linewidth=0.5, zorder=3)  # fmt: skip
            continue
        for ring in _rings(geom):
            ax.add_patch(Polygon(
                ring, closed=True, zorder=3,
                facecolor="none" if kind == "frame" else colors.hex_(colors.LAND),
                edgecolor=colors.hex_(colors.FRAME if kind == "frame" else colors.OUTLINE),
                linewidth=0.6 if kind == "frame" else 0.3,
            ))  # fmt: skip
    for kind in ("grey", "dot", "ring", "dashed"):
        pts = [q for q in p.points if q.kind == kind]
        if not pts:
            continue
        xs, ys = [q.lon for q in pts], [_merc(q.lat) for q in pts]
        hues = [q.color for q in pts]
        if kind in ("ring", "dashed"):
            dash = "--" if kind == "dashed" else "-"
            ax.scatter(xs, ys, s=34, facecolors="none", edgecolors=hues, linewidths=1.6,
                       linestyles=dash, zorder=6)  # fmt: skip
        elif kind == "dot":
            ax.scatter(xs, ys, s=30, c=hues, linewidths=0.6,
                       edgecolors=colors.hex_(colors.POINT_OUTLINE), zorder=5)  # fmt: skip
        else:
            ax.scatter(xs, ys, s=16, c=hues, linewidths=0.4, edgecolors="#888", zorder=4)
    for side in ax.spines.values():
        side.set_linewidth(0.5)
        side.set_color("#999")

    handles = []
    for kind, color, label in p.legend:
        marker = {"area": "s", "outline": "s", "frame": "s"}.get(kind, "o")
        filled = kind in ("dot", "grey", "faded", "area")
        handles.append(Line2D(
            [], [], linestyle="none", marker=marker, markersize=9,
            markerfacecolor=color if filled else "none",
            markeredgecolor=color if not filled or kind == "area" else "#282828",
            markeredgewidth=1.6 if not filled else 0.6,
            label=_wrap(label, p.lang, 34),
        ))  # fmt: skip
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.70, 0.78), frameon=False,
               prop={"family": family, "size": 8.5}, labelspacing=0.9,
               handletextpad=0.6)  # fmt: skip
    say(0.075, _wrap(p.source, p.lang, 150), 7.5, "#444")
    say(0.03, drawable(p.made), 7.5, "#444")
    return fig


def render(p: Picture, fmt: str) -> bytes:
    """The picture as PNG or SVG bytes."""
    import matplotlib

    if fmt not in ("png", "svg"):
        raise ValueError(f"no such image format: {fmt!r}")
    fig = _figure(p)
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cbec"}):
        if fmt == "png":
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig).print_png(out, metadata={"Software": None})
            return out.getvalue()
        from matplotlib.backends.backend_svg import FigureCanvasSVG

        FigureCanvasSVG(fig).print_svg(out, metadata={"Date": None, "Creator": None})
    return _embed_font(out.getvalue())


def _embed_font(svg: bytes) -> bytes:
    """The SVG's text is text (searchable, the title a screen reader reads), so the font goes
    inside: an SVG opened where the font is not installed still shows Chinese."""
    data = base64.b64encode(FONT.read_bytes()).decode("ascii")
    style = (
        f"<style>@font-face{{font-family:'{FAMILY}';"
        f"src:url(data:font/otf;base64,{data}) format('opentype');}}</style>"
    )
    head, sep, rest = svg.decode("utf-8").partition("<defs>")
    if not sep:
        head, sep, rest = svg.decode("utf-8").partition("</metadata>")
    return (head + sep + style + rest).encode("utf-8")
