"""A licence's compliance badge, drawn by its Jinja2 fragment (decision 0038), prints what the f-string printed."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

BADGES = {
    "under": '<span class="badge text-bg-danger">Under-licensed by 3</span>',
    "over": '<span class="badge text-bg-warning">Over-licensed: 2 unused</span>',
    "expired": '<span class="badge text-bg-dark">Expired</span>',
    "site": '<span class="badge text-bg-info">Site licence</span>',
    "ok": '<span class="badge text-bg-success">Compliant</span>',
}


def badge(state: str, **numbers) -> str:
    lic = SimpleNamespace(**{"state": state, "shortfall": 3, "difference": 2, **numbers})
    return Template("{% load licences %}{% licence_state_badge lic %}").render(Context({"lic": lic}))


@pytest.mark.parametrize("state", BADGES)
def test_each_state_prints_what_it_printed_before(state):
    assert badge(state) == BADGES[state]


def test_the_numbers_are_escaped_and_the_words_follow_the_language():
    assert (
        badge("under", shortfall="<b>3</b>")
        == '<span class="badge text-bg-danger">Under-licensed by &lt;b&gt;3&lt;/b&gt;</span>'
    )
    with translation.override("cy"):
        assert badge("ok") == f'<span class="badge text-bg-success">{translation.gettext("Compliant")}</span>'
