"""The offer matches the refusal (issue 18): for each of the cast, the menu offers the People pages and the sign-in
settings exactly when the rule lets them in, the pages open exactly then, and the services refuse the others."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.accounts import services, sso
from schooldesk.accounts.choices import SignInProvider
from schooldesk.accounts.models import SignInConnection
from schooldesk.core.permissions import can
from schooldesk.core.roles import Role

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")
PAGES = {"accounts.people_manage": "people_list", "accounts.sign_in_change": "sign_in_connection_list"}


@pytest.mark.parametrize("member", CAST)
def test_the_menu_offers_the_people_and_sign_in_pages_exactly_to_whom_the_rules_let_in(cast, client, member):
    person = getattr(cast, member)
    client.force_login(person)
    home = client.get(reverse("home")).content.decode()
    for name, url_name in PAGES.items():
        allowed = can(person, name)
        assert (f'href="{reverse(url_name)}"' in home) is allowed, (member, name)
        assert client.get(reverse(url_name)).status_code == (200 if allowed else 403), (member, name)


@pytest.mark.parametrize("member", CAST)
def test_giving_a_role_is_offered_and_refused_by_the_same_rule(cast, client, member):
    person = getattr(cast, member)
    client.force_login(person)
    allowed = can(person, "accounts.people_manage", cast.school)
    page = client.get(reverse("person_detail", kwargs={"person_pk": cast.reporter.pk}))
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        assert reverse("person_role_give", kwargs={"person_pk": cast.reporter.pk}) in page.content.decode()
        return
    with pytest.raises(PermissionDenied):
        services.role_give(person=cast.reporter, school=cast.school, role=Role.VIEWER, supplier=None, by=person)


@pytest.mark.parametrize("member", CAST)
def test_a_sign_in_connection_is_saved_only_by_whom_the_rule_lets(cast, member):
    person = getattr(cast, member)
    connection = SignInConnection(school=cast.school, provider=SignInProvider.GOOGLE, domains="oak.example")
    assert can(person, "accounts.sign_in_change", connection) is (member in ("spoc", "owner"))
    if not can(person, "accounts.sign_in_change", connection):
        with pytest.raises(PermissionDenied, match="Only the SPOC or the ICT owner"):
            sso.connection_save(connection=connection, by=person)


def test_the_mfa_policy_rule_is_the_organisations_owners(cast):
    organisation = cast.school.organisation
    assert not can(cast.spoc, "accounts.mfa_policy", organisation)
    with pytest.raises(PermissionDenied, match="two-step sign-in"):
        services.mfa_policy_save(organisation=organisation, roles=[], by=cast.spoc)
