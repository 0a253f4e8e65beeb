"""The report's charts: one description per chart (labels, series, unit), drawn in the browser by Chart.js
and, for the PDF, as SVG written here in Python (WeasyPrint renders SVG; no browser on the server).

Colours are told apart in greyscale too (dark blue, orange, light grey), every bar carries its value, and
the text is at least 11 px at the PDF's width, so a printed copy still reads."""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from schooldesk.core.templatetags.desk_format import money_whole, percent
from schooldesk.reports.choices import GroupedRow

PALETTE = ["#1d3b6f", "#e69f00", "#a6a6a6", "#2a9d8f"]
WIDTH = 680
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
MAX_SCHOOLS = 20


def _num(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def chart(
    key: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    unit: str = "calls",
    horizontal: bool = False,
    maximum: float | None = None,
) -> dict:
    data = [
        {
            "label": label,
            "data": [None if v is None else round(_num(v), 1) for v in values],
            "colour": PALETTE[n % len(PALETTE)],
        }
        for n, (label, values) in enumerate(series)
    ]
    height = 60 + 20 * len(labels) * len(data) + 8 * len(labels) if horizontal else 300
    return {
        "id": f"chart-{key}",
        "data_id": f"chart-{key}-data",
        "key": key,
        "title": title,
        "labels": [str(x) for x in labels],
        "series": data,
        "unit": unit,
        "horizontal": horizontal,
        "max": maximum,
        "height": height,
        "summary": _summary(title, labels, data, unit),
    }


def _fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return percent(value)
    if unit == "£":
        return money_whole(value)  # the scale of a chart: whole pounds
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _summary(title: str, labels, series, unit: str) -> str:
    """The chart in words, for screen readers (the tables beside it hold the same figures)."""
    parts = []
    for s in series:
        values = ", ".join(f"{label} {_fmt(v, unit)}" for label, v in zip(labels, s["data"], strict=False))
        parts.append(f"{s['label']}: {values}" if len(series) > 1 else values)
    return f"{title}. " + "; ".join(parts)


def report_charts(report: dict) -> dict[str, list[dict]]:
    """The charts of each section of the service report."""
    columns = [label for _tag, label in report["columns"]]
    tags = [tag for tag, _p in report["periods"]]
    r = report["reactive"]
    priorities = [row["key"] for row in r["priority"]]
    out = {
        "reactive": [
            chart(
                "priority",
                _("Calls by priority"),
                priorities,
                [(columns[n], [row[f"n_{tag}"] for row in r["priority"]]) for n, tag in enumerate(tags)],
            ),
            chart(
                "targets",
                _("Targets met by priority, %(period)s") % {"period": report["period"].label},
                priorities,
                [
                    (_("Answered within target"), [row["response_rate"] for row in r["priority"]]),
                    (_("Fixed within target"), [row["resolve_rate"] for row in r["priority"]]),
                ],
                unit="%",
                maximum=100,
            ),
        ],
        "proactive": [],
        "spend": [],
        "schools": [],
    }
    now = r["totals"]["now"]
    out["reactive"].append(
        chart(
            "level",
            _("Who put calls right, %(period)s") % {"period": report["period"].label},
            [_("Service desk"), _("Technicians"), _("Suppliers")],
            [(_("Share of calls fixed"), [now["at_desk_rate"], now["at_first_rate"], now["at_second_rate"]])],
            unit="%",
            horizontal=True,
            maximum=100,
        )
    )
    categories = [row for row in r["category"] if row["key"] != GroupedRow.EVERYTHING_ELSE][:8]
    if categories:
        out["reactive"].append(
            chart(
                "category",
                _("Most common kinds of call"),
                [row["label"] for row in categories],
                [(columns[n], [row[tag] for row in categories]) for n, tag in enumerate(tags[:2])],
                horizontal=True,
            )
        )
    assets = report["assets"]["types"][:8]
    if assets:
        out["proactive"].append(
            chart(
                "equipment",
                _("Equipment needing attention"),
                [row["label"] for row in assets],
                [
                    (_("Warranty ends within 90 days"), [row["warranty_ending"] for row in assets]),
                    (
                        _("Over %(n)s years old") % {"n": report["assets"]["replacement_years"]},
                        [row["replace_now"] for row in assets],
                    ),
                ],
                unit="devices",
                horizontal=True,
            )
        )
    year = report["spend"]["year"]
    if year["rows"]:
        out["spend"].append(
            chart(
                "spend",
                _("Budget against committed spend, %(year)s") % {"year": year["year_label"]},
                [row["label"] for row in year["rows"]],
                [
                    (_("Budget"), [row["budget"] for row in year["rows"]]),
                    (_("Committed"), [row["committed"] for row in year["rows"]]),
                ],
                unit="£",
                horizontal=True,
            )
        )
    if report["multi"]:
        rows = report["reactive"].get("schools", {})
        ranked = sorted(
            report["schools"],
            key=lambda s: (
                rows.get(s.pk, {}).get("resolve_rate") is None,
                rows.get(s.pk, {}).get("resolve_rate") or 0,
                s.name,
            ),
        )
        shown = ranked[:MAX_SCHOOLS]
        title = (
            _("Calls fixed within target, by school")
            if len(ranked) <= MAX_SCHOOLS
            else _("Calls fixed within target: the %(n)s schools furthest from it") % {"n": MAX_SCHOOLS}
        )
        out["schools"].append(
            chart(
                "schools",
                title,
                [s.name for s in shown],
                [(_("Fixed within target"), [rows.get(s.pk, {}).get("resolve_rate") for s in shown])],
                unit="%",
                horizontal=True,
                maximum=100,
            )
        )
    return out


# --- SVG for the PDF -------------------------------------------------------------------------------
def _nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum and tick step above `value`."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1:
        step = 1.0
    return step * math.ceil(value / step), step


def _text(x, y, content, *, size=11, anchor="start", weight="normal", fill="#212529") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(content)}</text>'
    )


def _legend(spec: dict, y: float) -> str:
    if len(spec["series"]) < 2:
        return ""
    out, x = [], 0.0
    for s in spec["series"]:
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{s["colour"]}"/>')
        out.append(_text(x + 17, y, s["label"], size=11))
        x += 17 + 7.2 * len(s["label"]) + 18
    return "".join(out)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg(spec: dict) -> SafeString:
    """The chart as an SVG element (values on the bars, a legend when there are several series)."""
    return mark_safe(_horizontal(spec) if spec["horizontal"] else _vertical(spec))  # noqa: S308 - escaped above


def _open(spec: dict, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(spec["summary"])}">'
        f"<title>{escape(spec['title'])}</title>"
    )


def _axis_top(spec: dict) -> tuple[float, float]:
    values = [v for s in spec["series"] for v in s["data"] if v is not None]
    return (float(spec["max"]), 25.0) if spec["max"] else _nice_max(max(values, default=0))


def _vertical(spec: dict) -> str:
    height, left, top, bottom = 225, 48, 30 if len(spec["series"]) > 1 else 12, 36
    plot_w, plot_h = WIDTH - left - 8, height - top - bottom
    top_value, step = _axis_top(spec)
    parts = [_open(spec, height), _legend(spec, 14)]
    tick = 0.0
    while tick <= top_value + 1e-9:
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d4d9"/>')
        parts.append(_text(left - 6, y + 4, _fmt(tick, spec["unit"]), size=10, anchor="end", fill="#495057"))
        tick += step
    groups, per = len(spec["labels"]) or 1, len(spec["series"])
    slot = plot_w / groups
    bar = min(46.0, slot * 0.8 / per)
    for g, label in enumerate(spec["labels"]):
        start = left + g * slot + (slot - bar * per) / 2
        for n, s in enumerate(spec["series"]):
            value = s["data"][g]
            h = 0 if value is None else plot_h * min(value, top_value) / top_value
            x, y = start + n * bar, top + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="{s["colour"]}"/>')
            parts.append(_text(x + (bar - 2) / 2, y - 3, _fmt(value, spec["unit"]), size=10, anchor="middle"))
        parts.append(
            _text(
                left + g * slot + slot / 2, top + plot_h + 16, _short(label, int(slot / 6.5)), size=11, anchor="middle"
            )
        )
    parts.append(f'<line x1="{left}" x2="{WIDTH - 8}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#495057"/>')
    parts.append("</svg>")
    return "".join(parts)


def _horizontal(spec: dict) -> str:
    per, rows = len(spec["series"]), len(spec["labels"])
    band = 10 + 17 * per
    top = 30 if per > 1 else 8
    label_w, right = 210, 70
    height = top + band * rows + 24
    plot_w = WIDTH - label_w - right
    top_value, step = _axis_top(spec)
    parts = [_open(spec, height), _legend(spec, 14)]
    tick = 0.0
    bottom = top + band * rows
    while tick <= top_value + 1e-9:
        x = label_w + plot_w * tick / top_value
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="#d0d4d9" stroke-width="1"/>')
        parts.append(_text(x, bottom + 15, _fmt(tick, spec["unit"]), size=10, anchor="middle", fill="#495057"))
        tick += step
    for r, label in enumerate(spec["labels"]):
        y0 = top + r * band + 5
        parts.append(_text(label_w - 8, y0 + 17 * per / 2 + 4, _short(label, 30), size=11, anchor="end"))
        for n, s in enumerate(spec["series"]):
            value = s["data"][r]
            w = 0 if value is None else plot_w * min(value, top_value) / top_value
            y = y0 + n * 17
            parts.append(f'<rect x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="15" fill="{s["colour"]}"/>')
            parts.append(_text(label_w + w + 4, y + 12, _fmt(value, spec["unit"]), size=10))
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{bottom}" stroke="#495057"/>')
    parts.append("</svg>")
    return "".join(parts)
