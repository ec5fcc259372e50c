"""Every colour the app draws with, in one place, and the arithmetic that checks them: contrast
(WCAG), colour-blindness simulation (Machado, Oliveira & Fernandes 2009, severity 1) and CIELAB
distances. The tests hold the palettes to these numbers; the maps and charts read them from here.
"""

from __future__ import annotations

import numpy as np

RGB = tuple[int, int, int]

LAND = (242, 240, 235)
SEA = (214, 226, 233)
OUTLINE = (140, 140, 140)
POINT_OUTLINE = (40, 40, 40)  # a dark ring on every point: >= 3:1 against the land, any fill
CONTEXT = (190, 190, 190)  # zones outside the filters, drawn for context
SELECTED = (200, 0, 60)
# The priority regions of July 2018 (Central, West, Northeast), tinted on every map: a warm land
# colour, close to the land's, so the points keep their contrast (tests/test_colors.py).
PRIORITY_LAND = (247, 234, 214)
CHOSEN_OUTLINE = (70, 70, 70)  # the provinces a Region or Province filter chose
FRAME = (90, 90, 90)  # the delta insets' frames, and their boxes on the main map
LABEL = (95, 95, 95)  # province names

# Batches in time order: one straight line in CIELAB from dark blue to yellow (like cividis), so
# that order reads as order and adjacent batches stay apart under protanopia and deuteranopia.
BATCH: dict[int, RGB] = {
    1: (13, 49, 177),
    2: (93, 73, 165),
    3: (130, 99, 152),
    4: (159, 126, 138),
    5: (184, 155, 122),
    6: (206, 184, 102),
    7: (227, 214, 76),
    8: (247, 245, 22),
}
# The default view's story: the zones before the newest selected batch, and that batch.
EARLIER: RGB = (63, 95, 138)
NEW: RGB = (217, 72, 15)
# NBS regions, in the one order every chart, map and table uses: East, then the three priority
# regions together (warm colours: the announcement's focus).
REGION_ORDER = ("East", "Central", "West", "Northeast")
REGION: dict[str, RGB] = {
    "East": (141, 160, 179),
    "Central": (230, 145, 56),
    "West": (179, 88, 6),
    "Northeast": (110, 52, 10),
}
PRIORITY_SERIES = (217, 72, 15)  # the priority regions' share in line charts
CUMULATIVE_SERIES = (63, 95, 138)
# Distance bands on the nearest-zone page, nearest darkest.
BANDS: dict[int, RGB] = {100: (8, 69, 148), 200: (66, 146, 198), 300: (158, 202, 225)}
# The province map of zone counts: sequential (ColorBrewer Blues), 0 = no zone.
COUNT_SCALE: tuple[RGB, ...] = (
    (236, 236, 236),
    (198, 219, 239),
    (158, 202, 225),
    (107, 174, 214),
    (66, 146, 198),
    (33, 113, 181),
    (8, 69, 148),
)


def hex_(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --- checks -------------------------------------------------------------------------------------


def _linear(rgb) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055) * 255


def luminance(rgb) -> float:
    r, g, b = _linear(rgb)
    return float(0.2126 * r + 0.7152 * g + 0.0722 * b)


def contrast(a, b) -> float:
    """WCAG contrast ratio (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_CVD = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
}  # fmt: skip


def simulate(rgb, kind: str) -> np.ndarray:
    """How `rgb` looks with full protanopia or deuteranopia (Machado et al. 2009)."""
    return _srgb(_CVD[kind] @ _linear(rgb))


def lab(rgb) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = (m @ _linear(rgb)) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b) -> float:
    """CIE76 distance in CIELAB: about 2.3 is just noticeable; 20 and more is plainly apart."""
    return float(np.linalg.norm(lab(a) - lab(b)))
