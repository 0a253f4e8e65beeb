"""The offer matches the refusal (docs/decisions/0036): for each person of a school, a saved-replies page offers a
form or a button exactly when the rule the service enforces says yes."""

import pytest

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import offered
from schooldesk.incidents.services import incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.replies.models import CannedReply

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_list_offers_adding_changing_and_deleting_only_to_whom_the_rule_allows(cast, client, role):
    user = getattr(cast, role)
    reply = CannedReply.objects.create(school=cast.school, title="Received", body="Thank you")
    shared = CannedReply.objects.create(organisation=cast.school.organisation, title="Shared", body="Thanks")
    client.force_login(user)
    status, offers = offered(client, "/replies/")
    may_change = can(user, "replies.change", reply)
    assert status == (200 if can(user, "replies.change") else 403)
    if status == 403:
        return
    assert ("/replies/new/" in offers) == can(user, "replies.change")
    assert (f"/replies/{reply.pk}/edit/" in offers) == may_change
    assert (f"/replies/{reply.pk}/delete/" in offers) == may_change
    # the organisation's shared reply is changed only by someone holding a role across the organisation
    assert not can(user, "replies.share", shared)
    assert f"/replies/{shared.pk}/edit/" not in offers
    if may_change:
        assert client.get(f"/replies/{reply.pk}/edit/").status_code == 200
    assert client.get(f"/replies/{shared.pk}/edit/").status_code == 404


def test_an_organisations_officer_is_offered_its_shared_replies(cast, client):
    officer = UserFactory(username="la-spoc")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    shared = CannedReply.objects.create(organisation=cast.school.organisation, title="Shared", body="Thanks")
    assert can(officer, "replies.share") and can(officer, "replies.change", shared)
    assert not can(cast.spoc, "replies.share", cast.school.organisation)
    client.force_login(officer)
    _status, offers = offered(client, "/replies/")
    assert "/replies/new/" in offers  # and "?for=organisation", the shared one's
    assert f"/replies/{shared.pk}/edit/" in offers
    client.force_login(cast.spoc)
    assert "?for=organisation" not in client.get("/replies/").content.decode()


@pytest.mark.parametrize("role", CAST)
def test_the_calls_replies_show_to_whom_the_rule_allows(cast, client, role):
    user = getattr(cast, role)
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    # escalated: the provider sees it
    call = incident_escalate(incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier)
    client.force_login(user)
    status, offers = offered(client, f"/replies/for-call/{call.pk}/")
    if not can(user, "replies.use", call):
        assert status in (403, 404)
        return
    assert status == 200
    assert ("/replies/" in offers) == can(user, "replies.change")
