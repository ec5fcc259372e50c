"""Where the project's files live, in one place."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STATIC = ROOT / "static"
REFERENCE = ROOT.parent / "shared" / "reference"

ZONES_CSV = DATA / "zones.csv"
BATCHES_CSV = DATA / "batches.csv"
PROVINCES_CSV = DATA / "provinces.csv"
COORDINATES_CSV = DATA / "coordinates.csv"
ZONE_AREAS = DATA / "zone_areas.geojson"
PROVINCE_SHAPES_COARSE = DATA / "provinces_coarse.geojson"
PREFECTURES_CSV = DATA / "prefectures.csv"
PLACES_CSV = DATA / "places.csv"
PROVINCE_OUTLINES = STATIC / "china_provinces.geojson"
# The URL under which Streamlit's static serving exposes PROVINCE_OUTLINES (relative, so a
# baseUrlPath or a hosted subdomain keeps working).
PROVINCE_OUTLINES_URL = "app/static/china_provinces.geojson"


def data_dir() -> Path:
    """The folder the app reads: `data/`, or CBEC_DATA_DIR when set (tests, a data preview)."""
    return Path(os.environ.get("CBEC_DATA_DIR") or DATA)
