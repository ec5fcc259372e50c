"""Every chart's Vega-Lite spec, one function per kind of chart: the pages pass rows and words,
the look (colours, axes, legend, tooltip) is decided here once. Pure: no Streamlit."""

from __future__ import annotations

Tooltip = list[tuple[str, str, str | None]]  # (field, title, d3 format or None)


def _tooltip(fields: Tooltip) -> list[dict]:
    return [
        {"field": f, "title": title, **({"format": fmt} if fmt else {})} for f, title, fmt in fields
    ]


def _ordered_x(title: str | None, label_limit: int, angle: int, kind: str) -> dict:
    """Rows' `x` labels in the order of their `order` field (batches, groups), not A to Z."""
    return {
        "field": "x",
        "type": kind,
        "sort": {"field": "order"},
        "title": title,
        "axis": {"labelAngle": angle, "labelLimit": label_limit},
    }


def _colour(field: str, domain: list[str], palette: list[str], title: str | None) -> dict:
    return {
        "field": field,
        "type": "nominal",
        "title": title,
        "scale": {"domain": domain, "range": palette},
        "legend": {"orient": "bottom"},
    }


def share_lines(
    rows: list[dict],
    *,
    domain: list[str],
    palette: list[str],
    tooltip: Tooltip,
    x_title: str | None = None,
    y_title: str | None = None,
    label_limit: int = 120,
    half_rule: bool = False,
    stroke: float | None = None,
) -> dict:
    """Shares (0 to 1) over ordered steps, one line per `series`: rows hold x, order, series,
    share. `half_rule` draws a dashed line at 50%."""
    line = {
        "mark": {"type": "line", "point": True, **({"strokeWidth": stroke} if stroke else {})},
        "encoding": {
            "x": _ordered_x(x_title, label_limit, -30, "ordinal"),
            "y": {
                "field": "share",
                "type": "quantitative",
                "title": y_title,
                "axis": {"format": ".0%"},
                "scale": {"domain": [0, 1]},
            },
            "color": _colour("series", domain, palette, None),
            "tooltip": _tooltip(tooltip),
        },
    }
    if not half_rule:
        return {"data": {"values": rows}, **line}
    rule = {
        "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#999"},
        "encoding": {"y": {"datum": 0.5}},
    }
    return {"data": {"values": rows}, "layer": [rule, line]}


def stacked_bars(
    rows: list[dict],
    *,
    domain: list[str],
    palette: list[str],
    tooltip: Tooltip,
    y_title: str,
    colour_title: str,
) -> dict:
    """Counts per group, stacked by `series` in the order of `domain` (bottom first): rows hold
    x, order, series, sorder (the series' place in `domain`), count."""
    return {
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _ordered_x(None, 120, 0, "nominal"),
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": y_title,
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {**_colour("series", domain, palette, colour_title), "sort": domain},
            "order": {"field": "sorder", "type": "quantitative"},
            "tooltip": _tooltip(tooltip),
        },
    }
