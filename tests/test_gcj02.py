"""GCJ-02 <-> WGS-84 against published coordinate pairs."""

import pytest
from geopy.distance import geodesic

from cbec.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# (WGS-84 lat, lon) -> (GCJ-02 lat, lon): the test vectors published with eviltransform
# (github.com/googollee/eviltransform, python/test.py).
PAIRS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), PAIRS)
def test_forward_matches_the_published_pairs(wgs, gcj):
    got = wgs84_to_gcj02(*wgs)
    assert got == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), PAIRS)
def test_inverse_is_exact_on_the_published_pairs(wgs, gcj):
    got = gcj02_to_wgs84(*gcj)
    assert got == pytest.approx(wgs, abs=1e-8)  # about 1 mm
    # The one-step inverse many copies use (subtract the offset at the GCJ point) is metres off.
    glat, glon = wgs84_to_gcj02(*gcj)
    naive = (2 * gcj[0] - glat, 2 * gcj[1] - glon)
    assert geodesic(naive, wgs).m > geodesic(got, wgs).m


def test_round_trip_across_china_and_the_size_of_the_offset():
    offsets = []
    for lat in range(19, 54, 3):
        for lon in range(74, 135, 4):
            gcj = wgs84_to_gcj02(lat + 0.37, lon + 0.61)
            back = gcj02_to_wgs84(*gcj)
            assert back == pytest.approx((lat + 0.37, lon + 0.61), abs=1e-8)
            offsets.append(geodesic((lat + 0.37, lon + 0.61), gcj).m)
    # The datum shift: tens to hundreds of metres (625 m at most on this grid), never a kilometre.
    offsets.sort()
    assert offsets[0] > 10 and offsets[-1] < 1000 and offsets[len(offsets) // 2] > 200


def test_outside_china_nothing_moves():
    for point in [(51.5074, -0.1278), (35.6812, 139.7671), (-33.8688, 151.2093)]:
        assert out_of_china(*point)
        assert wgs84_to_gcj02(*point) == point
        assert gcj02_to_wgs84(*point) == point
    assert not out_of_china(39.9, 116.4)
