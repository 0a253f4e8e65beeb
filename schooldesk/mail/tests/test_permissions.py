"""The offer matches the refusal: for each of the cast, the mail pages offer a form, a button or a choice exactly
when the rule the service enforces (schooldesk/permissions/rules.py) says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.permissions import can
from schooldesk.mail import services
from schooldesk.mail.choices import NotificationEvent
from schooldesk.mail.models import Mailbox
from schooldesk.mail.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def test_the_pages_offer_what_the_rules_allow(cast, client):
    world = tenancy.build(cast, "OAK")
    message, mailbox, incident = world["inbound"], world["mailbox"], world["mail_incident"]
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        desk = role in ("spoc", "owner")
        for action in ("mail.manage", "mail.handle"):
            assert can(person, action, mailbox) == desk, (role, action)
            assert can(person, action, message) == desk, (role, action)
            assert can(person, action) == desk, (role, action)  # the menu, the pages
        assert can(person, "mail.desk_emails") == desk, role
        choices = client.get("/mail/preferences/").content.decode()
        assert (f'name="{NotificationEvent.NEW_CALL.value}"' in choices) == desk, role
        held = client.get(f"/mail/messages/{message.pk}/")
        boxes = client.get(f"/mail/mailboxes/{mailbox.pk}/")
        if desk:
            text = held.content.decode()
            for action in ("retry", "accept", "discard"):
                assert f'action="/mail/messages/{message.pk}/{action}/"' in text, (role, action)
            text = boxes.content.decode()
            assert f'action="/mail/mailboxes/{mailbox.pk}/check/"' in text, role
            assert 'href="/mail/mailboxes/new/"' in client.get("/mail/mailboxes/").content.decode(), role
        else:
            assert held.status_code == 403 and boxes.status_code == 403, role
            assert client.get("/mail/").status_code == 403, role
            with pytest.raises(PermissionDenied):
                services.inbound_discard(message=message, by=person)
        reads = can(person, "mail.read_call", incident)
        assert reads == (role in ("spoc", "technician", "owner")), role
        calls = client.get(f"/incidents/{incident.pk}/")
        if calls.status_code == 200:
            assert (f'href="/mail/calls/{incident.pk}/"' in calls.content.decode()) == reads, role
        assert (client.get(f"/mail/calls/{incident.pk}/").status_code == 200) == reads, role


def test_a_shared_mailbox_is_run_by_the_organisations_desk_only(cast, other):
    shared = Mailbox.objects.create(
        organisation=cast.school.organisation, name="Council desk", host="imap.example", address="desk@council.example"
    )
    officer = UserFactory(username="la-spoc")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    assert can(officer, "mail.manage", shared) and can(officer, "mail.desk_emails")
    assert not can(cast.spoc, "mail.manage", shared)  # a school's desk does not run the council's mailbox
    assert not can(other.spoc, "mail.manage", shared)
