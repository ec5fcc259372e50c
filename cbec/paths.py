"""Where the project's files live, and how they are written: atomically, so that a reader (a
running app, a test, a second pipeline run) never sees a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STATIC = ROOT / "static"
SOURCES = DATA / "sources"  # the sourced list zones.csv and provinces.csv are built from

ZONES_CSV = DATA / "zones.csv"
BATCHES_CSV = DATA / "batches.csv"
PROVINCES_CSV = DATA / "provinces.csv"
COORDINATES_CSV = DATA / "coordinates.csv"
ZONE_AREAS = DATA / "zone_areas.geojson"
PROVINCE_SHAPES_COARSE = DATA / "provinces_coarse.geojson"
PREFECTURES_CSV = DATA / "prefectures.csv"
PLACES_CSV = DATA / "places.csv"
# The seat checks' inputs (data/sources/README.md): Tencent's city list (the second provider), the
# government moves that override the seat table, and the sourced notes on points the providers
# disagree about.
SECOND_SEATS_CSV = SOURCES / "tencent_cities.csv"
SEAT_MOVES_CSV = SOURCES / "seat_moves.csv"
POINT_NOTES_CSV = SOURCES / "point_notes.csv"
PROVINCE_OUTLINES = STATIC / "china_provinces.geojson"
SCS_INSET = STATIC / "south_china_sea.geojson"
FONT = ROOT / "cbec" / "fonts" / "CBECSansSC-Regular.otf"  # the images' font (cbec/picture.py)
GENERATED = STATIC / "generated"  # files the app writes once per data version (zone points)
# The URL under which Streamlit's static serving exposes PROVINCE_OUTLINES (relative, so a
# baseUrlPath or a hosted subdomain keeps working).
PROVINCE_OUTLINES_URL = "app/static/china_provinces.geojson"
SCS_INSET_URL = "app/static/south_china_sea.geojson"


def data_dir() -> Path:
    """The folder the app reads: `data/`, or CBEC_DATA_DIR when set (tests, a data preview)."""
    return Path(os.environ.get("CBEC_DATA_DIR") or DATA)


# Files are written readable by everyone (a web server or another replica's user reads the
# runtime files), not mkstemp's owner-only 0600. A fixed mode: reading the umask means setting
# it, for the whole process, while a server's other threads may be creating files.
_MODE = 0o644


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path` in one step."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """`write_text_atomic` for bytes (a font, an image)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _MODE)  # mkstemp makes 0600: readable by the owner only
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, df.to_csv(index=False, lineterminator="\n"))
