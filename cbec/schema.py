"""The shape of every data file the app or the build reads, and the checks that hold a file to it.

One declarative schema per file (columns with their type, range, allowed values, unique and
foreign keys; GeoJSON with its key property, geometry types and coordinate box), checked in the
order the files depend on each other. A file that cannot be read or parsed is reported once, by
name, and the files that refer to it are not checked against it, so one broken `provinces.csv`
gives one clear line instead of 181 lines about `zones.csv`.

Hand-written rather than pandera: the files are small and stored as text, the messages must name
the file, the line as an editor shows it and the field, and the app must not need another
runtime dependency for it (Streamlit Community Cloud installs requirements.txt only).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ASCII_INT = re.compile(r"[0-9]{1,9}")  # str.isdigit() accepts "²" and "①", which int() rejects
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ADCODE = re.compile(r"[0-9]{6}")
MAX_PROBLEMS_PER_FILE = 12  # then "... and N more": a cut file must not bury the first line
# China with its islands, generously: a point or vertex outside it is certainly wrong.
CHINA_LAT = (3.0, 54.0)
CHINA_LON = (73.0, 136.0)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (the header is line 1); None for the whole file
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class DataError(Exception):
    """Every problem found, the first broken file first; str() starts with that file's name."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(headline(problems))


def headline(problems: list[Problem]) -> str:
    """One line naming the first broken file and what is wrong with it."""
    if not problems:
        return "no problems"
    files = list(dict.fromkeys(p.file for p in problems))
    rest = f" ({len(problems)} problems in {', '.join(files)})" if len(problems) > 1 else ""
    return f"{problems[0]}{rest}"


# --- schemas ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column: its kind (text, int, float, date, slug, adcode), whether it may be empty,
    its allowed values or range, and whether its values are unique."""

    name: str
    kind: str = "text"
    required: bool = True
    choices: tuple[str, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    unique: bool = False
    max_len: int = 2000


@dataclass(frozen=True)
class Ref:
    """Values of `column` must be values of `target_column` in `target` (a foreign key)."""

    column: str
    target: str
    target_column: str


@dataclass(frozen=True)
class CsvSchema:
    file: str
    columns: tuple[Col, ...]
    min_rows: int = 1
    refs: tuple[Ref, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class GeoSchema:
    file: str
    key: str  # the property that identifies a feature
    properties: tuple[str, ...]  # required non-empty string properties (key included)
    ref: Ref | None = None  # every key must exist in the target...
    complete: bool = False  # ...and every target value must have a feature
    extra: tuple[str, ...] = ()  # keys allowed beyond the target's values
    min_features: int = 1
    geometries: tuple[str, ...] = ("Polygon", "MultiPolygon")  # the geometry types allowed
    choices: tuple[str, ...] = ()  # the key's allowed values, when it names a kind


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Report:
    """What checking found: the problems and the tables/documents that passed the reading."""

    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    docs: dict[str, dict] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)

    def add(self, file: str, row: int | None, fld: str | None, message: str) -> None:
        self.broken.add(file)
        self.problems.append(Problem(file, row, fld, message))


# The largest file the app reads is under 1 MB (zone_areas.geojson); a data file 20 times that
# is a mistake or an attack (a 254 MB GeoJSON took 2.2 GB to load), refused before it is read.
MAX_FILE_BYTES = 20 * 1024 * 1024


def _read_text(path: Path, report: Report) -> str | None:
    """The file's text, or None with the problem reported. Read safely: a link that leads out
    of the file's folder (to /etc/passwd) or anything but a regular file (/dev/zero) is refused,
    a file over MAX_FILE_BYTES is not read, and no message shows the server's paths."""
    name = path.name
    raw = _bounded_bytes(path, name, report)
    if raw is None:
        return None
    if not raw.strip():
        report.add(name, None, None, "the file is empty")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add(
            name,
            None,
            None,
            f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}): save it as UTF-8",
        )
        return None


def _bounded_bytes(path: Path, name: str, report: Report) -> bytes | None:
    folder = f"{path.parent.name}/"  # the folder's name, never the server's absolute path
    try:
        real = path.resolve(strict=True)
        if path.is_symlink() and not real.is_relative_to(path.parent.resolve()):
            report.add(name, None, None, f"is a link to a file outside {folder}: not read")
            return None
        if not real.is_file():
            report.add(name, None, None, "is not a regular file: not read")
            return None
        size = real.stat().st_size
        if size > MAX_FILE_BYTES:
            report.add(name, None, None, f"is {size / 2**20:.0f} MB, more than the "
                       f"{MAX_FILE_BYTES // 2**20} MB a data file may be: not read")  # fmt: skip
            return None
        with open(real, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # a file growing while read is capped as well
    except FileNotFoundError:
        report.add(name, None, None, f"file not found in {folder}")
        return None
    except OSError as exc:
        report.add(name, None, None, f"cannot be read: {exc.strerror or type(exc).__name__}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        report.add(name, None, None, f"is more than the {MAX_FILE_BYTES // 2**20} MB a data "
                   "file may be: not read")  # fmt: skip
        return None
    return raw


def read_csv(path: Path, schema: CsvSchema, report: Report) -> list[dict[str, str]] | None:
    """Rows as dicts of stripped strings, or None (with the problem reported) if the file cannot
    be read as a CSV file with exactly the schema's columns and a full row on every line."""
    text = _read_text(path, report)
    if text is None:
        return None
    name = schema.file
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        report.add(name, last, None, "the last line has no line break: the file was cut short "
                   "(every file the build writes ends with one)")  # fmt: skip
        return None
    lines = list(_csv_rows(text, name, report))
    if name in report.broken:
        return None
    header, body = lines[0][1], lines[1:]
    missing = [c for c in schema.names if c not in header]
    extra = [c for c in header if c not in schema.names]
    if missing:
        report.add(name, 1, None, f"missing column(s): {', '.join(missing)}")
    if extra:
        report.add(name, 1, None, f"unexpected column(s): {', '.join(extra)}")
    if missing or extra:
        return None
    rows = []
    for line_no, cells in body:
        if cells == [""] or not cells:
            continue  # a blank line
        if len(cells) != len(header):
            report.add(
                name,
                line_no,
                None,
                f"{len(cells)} fields where the header has {len(header)} "
                "(a row cut short or an unquoted comma)",
            )
            continue
        rows.append(
            {"_line": str(line_no)} | {h: c.strip() for h, c in zip(header, cells, strict=True)}
        )
    if name in report.broken:
        return None
    if len(rows) < schema.min_rows:
        what = "no data rows (header only)" if not rows else f"only {len(rows)} rows"
        report.add(name, None, None, f"{what}; expected at least {schema.min_rows}")
        return None
    return rows


def _csv_rows(text: str, name: str, report: Report) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        report.add(name, reader.line_num, None, f"not valid CSV: {exc} (a file cut short?)")
        return
    if reader.line_num == 0:
        report.add(name, None, None, "the file is empty")


def read_geojson(path: Path, schema: GeoSchema, report: Report) -> dict | None:
    text = _read_text(path, report)
    if text is None:
        return None
    name = schema.file
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(
            name, exc.lineno, None, f"not valid JSON: {exc.msg} at column {exc.colno} (cut short?)"
        )
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        report.add(name, None, None, "not a GeoJSON FeatureCollection")
        return None
    features = doc.get("features")
    if not isinstance(features, list) or len(features) < schema.min_features:
        report.add(name, None, None, f"expected at least {schema.min_features} features")
        return None
    for i, feature in enumerate(features):
        where = f"feature {i + 1}"
        problem = _feature_problem(feature, schema)
        if problem:
            report.add(name, None, None, f"{where}: {problem}")
            if _count(report, name) > MAX_PROBLEMS_PER_FILE:
                break
    if name in report.broken:
        return None
    return doc


def _count(report: Report, file: str) -> int:
    return sum(p.file == file for p in report.problems)


def _feature_problem(feature: object, schema: GeoSchema) -> str | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "not a GeoJSON Feature"
    props = feature.get("properties")
    if not isinstance(props, dict):
        return "has no properties"
    for p in schema.properties:
        if not isinstance(props.get(p), str) or not props[p].strip():
            return f"property {p!r} is missing or not text"
    if schema.choices and props[schema.key] not in schema.choices:
        return f"{schema.key} {props[schema.key][:40]!r} is not one of {', '.join(schema.choices)}"
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in schema.geometries:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        wanted = " or ".join(schema.geometries)
        return f"{props[schema.key]!r}: geometry is {kind!r}, expected {wanted}"
    name, kind, coords = props[schema.key], geometry["type"], geometry.get("coordinates")
    parts = [coords] if kind in ("Polygon", "LineString") else coords
    if not isinstance(parts, list) or not parts:
        return f"{name!r}: no coordinates"
    checks: list[tuple[Callable[[object], str | None], object]]
    if kind.endswith("LineString"):
        checks = [(_line_problem, line) for line in parts]
    elif not all(isinstance(polygon, list) and polygon for polygon in parts):
        return f"{name!r}: a polygon without rings"
    else:
        checks = [(_ring_problem, ring) for polygon in parts for ring in polygon]
    problem = next((found for check, item in checks if (found := check(item))), None)
    return f"{name!r}: {problem}" if problem else None


def _line_problem(line: object) -> str | None:
    if not isinstance(line, list) or len(line) < 2:
        return "a line with fewer than 2 positions"
    return _positions_problem(line)


def _ring_problem(ring: object) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "a ring with fewer than 4 positions"
    problem = _positions_problem(ring)
    if problem:
        return problem
    if ring[0][:2] != ring[-1][:2]:
        return "a ring that is not closed"
    return None


def _positions_problem(positions: list) -> str | None:
    if _positions_fine(positions):
        return None
    for pos in positions:  # something is wrong: find what, position by position
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
        ):
            return f"a position that is not [lon, lat]: {str(pos)[:40]}"
        lon, lat = pos[0], pos[1]
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return f"a position that is not finite: {pos[:2]}"
        if not (CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
            return f"a position outside China: {pos[:2]}"
    return None


def _positions_fine(positions: list) -> bool:
    """The common case at numpy's speed: True when every position is a finite [lon, lat] in
    China; False when something needs the slow, precise look."""
    import numpy as np

    if not all(type(pos) is list and len(pos) == 2 for pos in positions):
        return False
    try:
        arr = np.array(positions)
    except (TypeError, ValueError):
        return False
    if arr.ndim != 2 or arr.dtype.kind not in "if":  # strings, booleans, nested junk
        return False
    return bool(
        np.isfinite(arr).all()
        and (arr[:, 0] >= CHINA_LON[0]).all() and (arr[:, 0] <= CHINA_LON[1]).all()
        and (arr[:, 1] >= CHINA_LAT[0]).all() and (arr[:, 1] <= CHINA_LAT[1]).all()
    )  # fmt: skip


# --- checking values ----------------------------------------------------------------------------


def parse_int(value: str) -> int | None:
    return int(value) if ASCII_INT.fullmatch(value) else None


def parse_float(value: str) -> float | None:
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return None  # no "nan", "inf", "1e400", full-width digits
    return float(value)


def parse_date(value: str):
    import datetime as dt

    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _cell_problem(col: Col, value: str) -> str | None:
    if not value:
        return "is empty" if col.required else None
    if len(value) > col.max_len:
        return f"is {len(value)} characters long (at most {col.max_len})"
    if col.kind == "int":
        n = parse_int(value)
        if n is None:
            return f"{value!r} is not a whole number"
        return _range_problem(col, n, value)
    if col.kind == "float":
        x = parse_float(value)
        if x is None:
            return f"{value!r} is not a number"
        return _range_problem(col, x, value)
    if col.kind == "date" and parse_date(value) is None:
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if col.kind == "slug" and not SLUG.fullmatch(value):
        return f"{value!r} is not a lowercase ASCII slug"
    if col.kind == "adcode" and not ADCODE.fullmatch(value):
        return f"{value!r} is not a six-digit code"
    if col.choices is not None and value not in col.choices:
        return f"{value!r} is not one of {', '.join(col.choices)}"
    return None


def _range_problem(col: Col, x: float, value: str) -> str | None:
    if (col.lo is not None and x < col.lo) or (col.hi is not None and x > col.hi):
        return f"{value} is outside {col.lo}..{col.hi}"
    return None


def check_csv(schema: CsvSchema, rows: list[dict[str, str]], report: Report) -> None:
    """Cell types, ranges, choices and unique keys of one file that was read."""
    name = schema.file
    for col in schema.columns:
        seen: dict[str, int] = {}
        for r in rows:
            value = r[col.name]
            problem = _cell_problem(col, value)
            if problem:
                report.add(name, int(r["_line"]), col.name, problem)
            elif col.unique and value:
                if value in seen:
                    report.add(
                        name,
                        int(r["_line"]),
                        col.name,
                        f"duplicate {col.name} {value!r} (first on line {seen[value]})",
                    )
                else:
                    seen[value] = int(r["_line"])
            if _count(report, name) > MAX_PROBLEMS_PER_FILE:
                return


def check_refs(schema: CsvSchema, rows: list[dict[str, str]], report: Report) -> None:
    """Foreign keys, checked only against files that were read and passed their own checks."""
    for ref in schema.refs:
        target = report.tables.get(ref.target)
        if target is None or ref.target in report.broken:
            continue
        known = {r[ref.target_column] for r in target}
        for r in rows:
            value = r[ref.column]
            if value and value not in known:
                report.add(
                    schema.file,
                    int(r["_line"]),
                    ref.column,
                    f"unknown {ref.column} {value!r} (not in {ref.target})",
                )


def check_geo_refs(schema: GeoSchema, doc: dict, report: Report) -> None:
    keys = [f["properties"][schema.key] for f in doc["features"]]
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)  # linear: 100,000 keys in ms
    if dupes:
        report.add(schema.file, None, schema.key, f"duplicate {schema.key}: {', '.join(dupes)}")
    ref = schema.ref
    if ref is None or ref.target in report.broken or ref.target not in report.tables:
        return
    known = {r[ref.target_column] for r in report.tables[ref.target]}
    unknown = sorted(set(keys) - known - set(schema.extra))
    if unknown:
        report.add(schema.file, None, schema.key, f"not in {ref.target}: {', '.join(unknown[:8])}")
    if schema.complete:
        missing = sorted(known - set(keys))
        if missing:
            report.add(schema.file, None, schema.key, f"no feature for: {', '.join(missing[:8])}")


Rule = Callable[[Report], None]
