"""A list's filter form refreshes the results on its own changes only: listening to every drop-down of the page
(`change from:select`) swapped the ticked rows away when someone chose a bulk action beside the list."""

import pathlib
import re

TEMPLATES = pathlib.Path(__file__).resolve().parents[2]


def test_no_filter_form_listens_to_the_whole_pages_drop_downs():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r'hx-trigger="[^"]*change from:select', path.read_text())
    ]
    assert not offenders, offenders
