"""Data files are read safely: a link out of the data folder, a device, a file far larger than
any data file, or a missing file gives a clear message that shows no server path and reads
nothing it should not (issue 21, finding 6)."""

import os
from pathlib import Path

from cbec import checks, paths
from cbec.checks import ZONE_SHAPES
from cbec.schema import MAX_FILE_BYTES, Report, check_geo_refs


def problems(folder: Path, file: str) -> list[str]:
    return [p.message for p in checks.check(folder).problems if p.file == file]


def test_a_link_out_of_the_data_folder_is_not_followed(data_copy):
    (data_copy / "zones.csv").unlink()
    (data_copy / "zones.csv").symlink_to("/etc/passwd")
    report = checks.check(data_copy)
    said = [str(p) for p in report.problems]
    assert [p.message for p in report.problems if p.file == "zones.csv"] == [
        f"is a link to a file outside {data_copy.name}/: not read"
    ]
    assert not any("root:" in s for s in said)  # the first line of /etc/passwd is never shown


def test_a_link_inside_the_data_folder_is_read(data_copy):
    (data_copy / "zones.csv").rename(data_copy / "zones-2026.csv")
    (data_copy / "zones.csv").symlink_to(data_copy / "zones-2026.csv")
    assert problems(data_copy, "zones.csv") == []


def test_a_device_or_a_pipe_is_not_read(data_copy):
    (data_copy / "places.csv").unlink()
    os.mkfifo(data_copy / "places.csv")  # reading it would wait for ever
    assert problems(data_copy, "places.csv") == ["is not a regular file: not read"]


def test_a_file_far_larger_than_any_data_file_is_not_read(data_copy):
    big = data_copy / "zone_areas.geojson"
    with open(big, "r+b") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    assert problems(data_copy, "zone_areas.geojson") == [
        "is 20 MB, more than the 20 MB a data file may be: not read"
    ]
    assert 20 * paths.ZONE_AREAS.stat().st_size < MAX_FILE_BYTES  # room for real data


def test_a_missing_file_is_named_without_the_servers_path(data_copy):
    (data_copy / "batches.csv").unlink()
    report = checks.check(data_copy)
    said = "\n".join(str(p) for p in report.problems)
    assert f"file not found in {data_copy.name}/" in said
    assert str(data_copy.parent) not in said


def test_duplicate_keys_are_found_among_many_features():
    """Counted once each (the check was quadratic: 100,000 features took 323 s)."""
    features = [{"properties": {"zone_id": f"z{i}"}} for i in range(100_000)]
    features += [{"properties": {"zone_id": "z7"}}, {"properties": {"zone_id": "z99999"}}]
    report = Report()
    check_geo_refs(ZONE_SHAPES, {"features": features}, report)
    assert next(p.message for p in report.problems) == "duplicate zone_id: z7, z99999"


# --- the files the app writes at run time (issue 21, finding 7) ---------------------------------


def test_a_generated_file_removed_while_running_is_written_again(tmp_path, monkeypatch):
    from cbec import data, mapview

    monkeypatch.setattr(paths, "GENERATED", tmp_path / "generated")
    ds = data.dataset()
    url = mapview.points_url(ds)
    assert url is not None
    written = tmp_path / "generated" / url.rsplit("/", 1)[1]
    assert written.stat().st_mode & 0o044 == 0o044  # readable by others (a proxy, a replica)
    written.unlink()  # git clean -X, while the server runs
    assert mapview.points_url(ds) == url and written.is_file()


def test_an_unwritable_folder_sends_the_records_and_says_so_once(tmp_path, monkeypatch, caplog):
    from cbec import data, mapview

    folder = tmp_path / "generated"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes anyway: make the folder a file instead
        folder.chmod(0o755)
        folder.rmdir()
        folder.write_text("not a folder")
    monkeypatch.setattr(paths, "GENERATED", folder)
    monkeypatch.setattr(mapview, "_unwritable", set())
    ds = data.dataset()
    with caplog.at_level("WARNING", logger="cbec"):
        assert mapview.points_url(ds) is None
        assert mapview.points_url(ds) is None
        labels = mapview.labels_data(ds, 3.0, "en")
    assert isinstance(labels, list) and labels  # the names travel with the deck instead
    said = [r.getMessage() for r in caplog.records if "cannot write zones-" in r.getMessage()]
    assert len(said) == 1


def test_every_file_a_page_can_ask_for_is_written_before_the_first_visitor(tmp_path, monkeypatch):
    """scripts/build_static.py (run by the image's build and by deploy/replicas.py) writes the
    points and every zoom's names in both languages: whatever the map's width and zoom steps, a
    replica that has drawn nothing yet has the file; and then a read-only folder still serves
    files (the records no longer travel with every run)."""
    import runpy

    from cbec import data, mapview

    folder = tmp_path / "generated"
    monkeypatch.setattr(paths, "GENERATED", folder)
    script = runpy.run_path(str(paths.ROOT / "scripts" / "build_static.py"))
    assert script["main"]() == 0
    built = {p.name for p in folder.iterdir()}
    assert len(built) == 1 + 2 * len(mapview.label_zooms())
    folder.chmod(0o555)
    monkeypatch.setattr(mapview.paths, "write_text_atomic", _refuse)  # and root cannot write
    ds = data.dataset()
    assert mapview.points_url(ds).rsplit("/", 1)[1] in built
    for width in range(200, 4001, 7):
        for step in range(-2, 7):
            zoom = mapview.layout(width, step).zoom
            for lang in ("en", "zh"):
                url = mapview.labels_data(ds, zoom, lang)
                assert isinstance(url, str) and url.rsplit("/", 1)[1] in built, (width, step)


def _refuse(path, text):
    raise PermissionError(13, "Permission denied", str(path))


def test_names_stop_being_placed_anew_once_every_province_has_its_name():
    """From LABEL_ZOOM_TOP on every province is named in both languages, so a closer map keeps
    those places: placing them anew costs fourfold per zoom step (47 s at zoom 8.75, which a
    wide screen zoomed in reaches)."""
    from cbec import data, mapview

    ds = data.dataset()
    top = mapview.label_records(ds, mapview.LABEL_ZOOM_TOP)
    assert len(top) == len(ds.province_shapes["features"])
    assert all("pe" in r and "pz" in r for r in top)
    assert mapview.label_records(ds, mapview.MAX_ZOOM) is top
    assert mapview.label_zooms()[-1] == mapview.LABEL_ZOOM_TOP
