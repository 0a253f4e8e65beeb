import re
from decimal import Decimal

import pytest

from schooldesk.reports.charts import _nice_max, chart, svg


def bars(markup: str) -> list[dict]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', rect)) for rect in re.findall(r"<rect [^>]*>", markup)]


def test_vertical_bars_are_in_proportion_and_labelled():
    spec = chart("priority", "Calls by priority", ["P1", "P2"], [("This term", [10, 40]), ("Last term", [20, None])])
    markup = str(svg(spec))
    assert markup.startswith("<svg") and "<title>Calls by priority</title>" in markup
    drawn = [b for b in bars(markup) if float(b.get("height", 0)) > 12]  # the legend's squares are 12 high
    heights = [float(b["height"]) for b in drawn]
    # drawn priority by priority: P1 this term (10), P1 last term (20), P2 this term (40); P2 last term is missing
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2) and heights[2] == pytest.approx(4 * heights[0], abs=0.2)
    assert {b["fill"] for b in drawn} == {"#1d3b6f", "#e69f00"}
    for text in (">10<", ">40<", ">20<", ">–<", ">P1<", ">This term<", ">Last term<"):
        assert text in markup


def test_horizontal_percentages_stop_at_100_and_money_reads_as_pounds():
    spec = chart("targets", "Met", ["A"], [("Rate", [87.5])], unit="%", horizontal=True, maximum=100)
    markup = str(svg(spec))
    assert ">88%<" in markup and ">100%<" in markup
    money = str(
        svg(chart("spend", "Spend", ["Hardware"], [("Budget", [Decimal("12500.00")])], unit="£", horizontal=True))
    )
    assert ">£12,500<" in money


def test_text_is_escaped_and_described_for_screen_readers():
    spec = chart("category", "Calls", ["<script>alert(1)</script>"], [("Now", [3])], horizontal=True)
    markup = str(svg(spec))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert spec["summary"] == "Calls. <script>alert(1)</script> 3"  # escaped where it is written out
    assert 'aria-label="Calls. &lt;script&gt;alert(1)&lt;/script&gt; 3"' in markup


def test_axis_maximum_is_a_round_number_above_the_data():
    assert _nice_max(112) == (150, 50) and _nice_max(7) == (8, 2) and _nice_max(0) == (1.0, 1.0)
