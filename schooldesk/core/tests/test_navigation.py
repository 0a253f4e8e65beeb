"""The menu offers each person only what their role opens: every link in it answers 200, never 403."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def menu_links(html: str) -> list[str]:
    nav = " ".join(html[html.index("<nav") : html.index("</nav>")].split())  # however the markup is wrapped
    return sorted(set(re.findall(r'<a class="(?:dropdown-item|nav-link|navbar-brand[^"]*)" href="(/[^"]*)"', nav)))


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_link_opens_for_the_role_that_sees_it(cast, login, role):
    client = login(getattr(cast, role))
    links = menu_links(client.get(reverse("home")).content.decode())
    assert len(links) >= 3, links
    refused = {link: status for link in links if (status := client.get(link, follow=True).status_code) != 200}
    assert refused == {}, f"{role} is offered links that do not open: {refused}"


def test_each_role_finds_its_own_pages_in_the_menu(cast, login):
    def links(role):
        return menu_links(login(getattr(cast, role)).get(reverse("home")).content.decode())

    assert reverse("reports:dashboard") in links("technician")
    assert reverse("budgets:budget_list") in links("owner")
    assert reverse("diary:payment_list") in links("viewer")
    assert reverse("diary:payment_list") not in links("technician")
    assert reverse("incidents:triage") in links("spoc")
    assert reverse("incidents:triage") not in links("reporter")


def test_the_standards_and_the_checks_are_in_the_menu_of_those_who_use_them(cast, login):
    def links(role):
        return menu_links(login(getattr(cast, role)).get(reverse("home")).content.decode())

    for role in ("owner", "spoc", "viewer"):
        assert reverse("standards:standards_list") in links(role), role
    for role in ("technician", "spoc", "owner"):
        assert reverse("standards:check_list") in links(role), role
    for role in ("reporter", "provider", "technician"):
        assert reverse("standards:standards_list") not in links(role), role


def test_data_protection_is_in_the_menu_of_the_dpo_and_the_ict_owner_only(cast, login):
    def links(role):
        return menu_links(login(getattr(cast, role)).get(reverse("home")).content.decode())

    for role in ("dpo", "owner"):
        assert reverse("privacy:request_list") in links(role), role
    for role in ("reporter", "spoc", "technician", "viewer", "provider"):
        assert reverse("privacy:request_list") not in links(role), role


def test_safeguarding_and_data_protection_pages_are_in_the_menu_of_those_who_hold_them(cast, login):
    from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory

    dsl = UserFactory()
    MembershipFactory(user=dsl, school=cast.school, role="dsl")

    def links(user):
        return menu_links(login(user).get(reverse("home")).content.decode())

    assert reverse("safeguarding:concern_list") in links(dsl)
    assert reverse("safeguarding:breach_log") not in links(dsl)
    assert reverse("safeguarding:breach_log") in links(cast.dpo)
    assert reverse("safeguarding:concern_list") not in links(cast.dpo)
    for role in ("reporter", "spoc", "technician"):
        assert reverse("safeguarding:filter_register") in links(getattr(cast, role)), role
        assert reverse("safeguarding:breach_log") not in links(getattr(cast, role)), role


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["spoc", "owner"])
def test_the_desktop_menu_bar_fits_the_screen_whatever_the_name(cast, signed_in, role):
    """At 1280 px (an office desktop) the full bar, with a long name, never makes the page scroll sideways;
    the full name stays the person menu's accessible name."""
    from playwright.sync_api import expect

    from schooldesk.core.tests.browser import horizontal_overflow

    person = getattr(cast, role)
    person.first_name, person.last_name = "Bartholomew", "Featherstonehaugh-Whittingham"
    person.save(update_fields=["first_name", "last_name"])
    page = signed_in(person)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Bartholomew Featherstonehaugh-Whittingham")).to_be_visible()
    overflow = horizontal_overflow(page)
    assert overflow["overflow"] <= 1, overflow
