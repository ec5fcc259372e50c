"""Helpers to drive and read dashboard.py in AppTest."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from cbec import paths


def open_app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deck(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def points(at: AppTest) -> list[dict]:
    layer = next(layer for layer in deck(at)["layers"] if layer["id"] == "zones")
    return layer["data"]


def table(at: AppTest):
    """The zones table (the dataframe with a 'document_no' column)."""
    return next(df.value for df in at.dataframe if "document_no" in df.value.columns)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def params(at: AppTest) -> dict[str, list[str]]:
    """The URL's query parameters, every value as a list."""
    out = {}
    for k in at.query_params:
        v = at.query_params[k]
        out[k] = [v] if isinstance(v, str) else list(v)
    return out
