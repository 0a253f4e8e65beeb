"""The offer matches the refusal: for each of the cast, the directory pages offer a form or a button exactly when
the rule the service enforces (schooldesk/permissions/rules.py) says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.permissions import can
from schooldesk.directory import services
from schooldesk.directory.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def test_the_pages_offer_what_the_rules_allow(cast, client):
    world = tenancy.build(cast, "OAK")
    connection, run, room = world["directory_connection"], world["directory_run"], world["directory_room"]
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        manages = can(person, "directory.manage", connection)
        assert manages == (role == "owner"), role
        for action in ("directory.test", "directory.sync", "directory.add_room"):
            assert can(person, action, connection) == manages, (role, action)
        reads = can(person, "directory.read")
        assert reads == (role in ("owner", "spoc")), role
        listing = client.get("/directory/")
        report = client.get(f"/directory/reports/{run.pk}/")
        page = client.get(f"/directory/{connection.pk}/")
        if reads:
            text = listing.content.decode()
            assert ('href="/directory/new/"' in text) == manages, role
            text = report.content.decode()
            assert (f'action="/directory/reports/{run.pk}/rooms/{room.pk}/add/"' in text) == manages, role
            assert (f'action="/directory/reports/{run.pk}/rooms/add-all/"' in text) == manages, role
        else:
            assert listing.status_code == 403 and report.status_code == 403, role
        if manages:
            text = page.content.decode()
            assert f'action="/directory/{connection.pk}/test/"' in text, role
            assert f'action="/directory/{connection.pk}/sync/"' in text, role
        else:
            assert page.status_code in (403, 404), role
            with pytest.raises(PermissionDenied):
                services.sync_start(connection=connection, by=person)
            with pytest.raises(PermissionDenied):
                services.room_add(room=room, by=person)


def test_an_organisations_desk_manages_its_schools_connections_but_adds_no_room_to_its_own(cast, other):
    connection = tenancy.build(cast, "OAK")["directory_connection"]
    officer = UserFactory(username="la-spoc")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    assert can(officer, "directory.manage", connection) and can(officer, "directory.add_room", connection)
    assert not can(other.owner, "directory.manage", connection)
    connection.school, connection.organisation = None, cast.school.organisation
    assert can(officer, "directory.sync", connection) and not can(officer, "directory.add_room", connection)
