"""A page someone may not open, or that does not exist, answers in the desk's own layout: the menu, what happened
in words, and a way back (it was a bare white "403 Forbidden" with the server's reason lost)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_page_outside_the_persons_role_says_so_with_the_menu_and_a_way_back(cast, login):
    response = login(cast.reporter).get("/standards/")
    assert response.status_code == 403
    html = _text(response)
    assert "This page is not open to you" in html
    assert 'id="nav-links"' in html  # the menu is there
    assert 'href="/"' in html and "Back to the home page" in html


def test_a_missing_page_says_so_in_the_layout_for_the_signed_in_and_the_signed_out(cast, login, client, settings):
    settings.DEBUG = False
    response = login(cast.spoc).get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in _text(response) and 'id="nav-links"' in _text(response)
    client.logout()
    response = client.get("/no-such-page/")
    assert response.status_code in (302, 404)
    if response.status_code == 404:
        assert "We could not find that page" in _text(response)
