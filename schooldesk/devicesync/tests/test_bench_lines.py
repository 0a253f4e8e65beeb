"""`make bench`'s device-console part says what it measured, or why it did not complete."""

from bench import devicesync


def test_the_report_gives_the_figures_and_the_verdict():
    figures = {
        "devices": 10_000,
        "first": {"pages": 50, "added": 10_000, "changed": 0, "gone": 0, "queries": 180, "seconds": 12.5},
        "second": {"pages": 50, "added": 0, "changed": 100, "gone": 1, "queries": 90, "seconds": 75.0},
    }
    text = "\n".join(devicesync.report_lines(figures))
    assert "10,000 Chromebooks" in text
    assert "| first (all new) | 50 | 10,000 | 0 | 0 | 180 | 12.5 | pass |" in text
    assert "| 75.0 | fail |" in text


def test_a_failure_is_said_in_words():
    assert "**Did not complete:** boom" in devicesync.report_lines({"problem": "boom"})
