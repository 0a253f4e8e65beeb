"""The offer matches the refusal: for each of the cast, the device console pages offer a form or a button exactly
when the rule the service enforces (schooldesk/permissions/rules.py) says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.permissions import can
from schooldesk.devicesync import services
from schooldesk.devicesync.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")
ACTIONS = ("devicesync.manage", "devicesync.test", "devicesync.sync")


def test_the_pages_offer_what_the_rules_allow(cast, client):
    connection = tenancy.build(cast, "OAK")["console"]
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        allowed = {action: can(person, action, connection) for action in ACTIONS}
        assert set(allowed.values()) == {role in ("spoc", "technician", "owner")}, role
        assert can(person, "devicesync.manage") == allowed["devicesync.manage"], role  # "Add a console", the menu
        listing = client.get("/devicesync/")
        page = client.get(f"/devicesync/{connection.pk}/")
        if allowed["devicesync.manage"]:
            assert 'href="/devicesync/new/"' in listing.content.decode(), role
            text = page.content.decode()
            assert f'action="/devicesync/{connection.pk}/sync/"' in text, role
            assert f'action="/devicesync/{connection.pk}/test/"' in text, role
        else:
            assert listing.status_code == 403 and page.status_code in (403, 404), role
            for service in (services.sync_request, services.connection_test):
                with pytest.raises(PermissionDenied):
                    service(connection=connection, by=person)


def test_an_organisations_desk_manages_its_schools_consoles_and_no_other(cast, other):
    connection = tenancy.build(cast, "OAK")["console"]
    officer = UserFactory(username="la-spoc")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    assert can(officer, "devicesync.sync", connection)
    assert not can(other.owner, "devicesync.sync", connection)
