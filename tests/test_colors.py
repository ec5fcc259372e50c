"""The palettes held to numbers: WCAG contrast against the land, CIELAB distances with and
without simulated colour blindness (Machado et al. 2009), and order that reads as order. The
arithmetic is checked first against published values, so the palette checks can be trusted."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cbec import colors, data, mapview, selection
from cbec.filters import Filters

CVD = ("protanopia", "deuteranopia")


# --- the arithmetic ------------------------------------------------------------------------------


def test_contrast_matches_wcag_examples():
    assert colors.contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert colors.contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert colors.contrast((255, 0, 0), (255, 255, 255)) == pytest.approx(4.0, abs=0.01)


def test_lab_and_delta_e_match_published_values():
    assert colors.lab((255, 255, 255)) == pytest.approx([100, 0, 0], abs=0.05)
    # sRGB red in CIELAB (D65): L 53.24, a 80.09, b 67.20
    assert colors.lab((255, 0, 0)) == pytest.approx([53.24, 80.09, 67.20], abs=0.1)
    assert colors.delta_e((0, 0, 0), (255, 255, 255)) == pytest.approx(100, abs=0.05)


@pytest.mark.parametrize("kind", CVD)
def test_simulation_keeps_greys_and_merges_red_with_green(kind):
    for g in (0, 128, 255):
        assert colors.simulate((g, g, g), kind) == pytest.approx([g, g, g], abs=1.5)
    # the confusion the simulation exists for: red and green come out close, blue stays apart
    red, green = colors.simulate((200, 60, 40), kind), colors.simulate((90, 140, 40), kind)
    assert colors.delta_e(red, green) < 0.5 * colors.delta_e((200, 60, 40), (90, 140, 40))


# --- the palettes --------------------------------------------------------------------------------


def _views(rgb):
    return [("normal", rgb)] + [(k, colors.simulate(rgb, k)) for k in CVD]


def test_batches_read_in_order_from_dark_to_light():
    lightness = [colors.lab(colors.BATCH[b])[0] for b in sorted(colors.BATCH)]
    assert all(b - a > 5 for a, b in itertools.pairwise(lightness)), lightness


def test_adjacent_batches_stay_apart_with_colour_blindness():
    """Neighbouring batches differ by ΔE >= 20 (plainly apart), also under protanopia and
    deuteranopia."""
    for a, b in itertools.pairwise(sorted(colors.BATCH)):
        for (kind, x), (_, y) in zip(_views(colors.BATCH[a]), _views(colors.BATCH[b]), strict=True):
            assert colors.delta_e(x, y) >= 20, (a, b, kind, colors.delta_e(x, y))


def test_earlier_and_new_stay_apart_with_colour_blindness():
    for (kind, x), (_, y) in zip(_views(colors.EARLIER), _views(colors.NEW), strict=True):
        assert colors.delta_e(x, y) >= 40, kind


def test_regions_stay_apart_with_colour_blindness():
    for a, b in itertools.combinations(colors.REGION_ORDER, 2):
        pairs = zip(_views(colors.REGION[a]), _views(colors.REGION[b]), strict=True)
        for (kind, x), (_, y) in pairs:
            assert colors.delta_e(x, y) >= 15, (a, b, kind)


def test_every_point_is_outlined_at_three_to_one_against_the_land():
    """Fills as light as batch 8's yellow (about 1:1 against the land) are allowed because
    every point carries the dark outline; that outline is what must reach 3:1."""
    assert colors.contrast(colors.POINT_OUTLINE, colors.LAND) >= 3
    assert colors.contrast(colors.POINT_OUTLINE, colors.SEA) >= 3
    assert colors.contrast(colors.POINT_OUTLINE, colors.PRIORITY_LAND) >= 3  # the tinted land
    assert min(colors.contrast(c, colors.LAND) for c in colors.BATCH.values()) < 3  # why


@pytest.mark.parametrize("mode", ["story", "batch"])
def test_live_points_have_the_dark_outline_and_withdrawn_rings_the_dark_edge(mode):
    ds = data.dataset()
    sel = selection.select(ds, Filters(batches=tuple(range(1, 9))), mode, dt.date(2026, 1, 1))
    spec = mapview.spec_for(sel, lang="en", width=800)
    _fill, line = mapview.color_expr(spec)
    outline = "[{},{},{},255]".format(*colors.POINT_OUTLINE)
    assert line.endswith(f": {outline}")  # a live zone's line colour: the dark outline
    layers = {layer.id: layer for layer in mapview.map_deck(ds, spec).layers}
    edge = layers["withdrawn-edge"]
    assert edge.get_line_color.startswith("@@=r <= ") and outline in edge.get_line_color
    assert edge.get_radius > mapview.POINT_RADIUS  # outside the coloured ring


def test_ordered_scales_run_one_way():
    """Distance bands: nearest darkest; zone counts: more is darker."""
    bands = [colors.lab(colors.BANDS[k])[0] for k in sorted(colors.BANDS)]
    assert all(b > a for a, b in itertools.pairwise(bands)), bands
    counts = [colors.lab(c)[0] for c in colors.COUNT_SCALE]
    assert all(b < a for a, b in itertools.pairwise(counts)), counts
