"""The call list's bulk action "Link to an outage", ticked and sent as the page renders it."""

import pytest

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.incidents.tests.test_bulk import _messages, _submit
from schooldesk.outages.models import OutageCall
from schooldesk.outages.services import outage_declare, outage_link_calls

pytestmark = pytest.mark.django_db


def test_the_spoc_links_ticked_calls_to_an_outage_from_the_call_list(cast, other, client):
    outage = outage_declare(by=cast.spoc, schools=[cast.school], title="Wi-Fi down in the Science block")
    calls = [IncidentFactory(school=cast.school, by=cast.reporter, summary=f"No Wi-Fi in S{n}") for n in (1, 2)]
    linked_already = IncidentFactory(school=cast.school, by=cast.reporter, summary="No Wi-Fi in S3")
    outage_link_calls(outage=outage, by=cast.spoc, incidents=[linked_already])
    client.force_login(cast.spoc)
    response = _submit(client, "/incidents/", tick=[*calls, linked_already], action="outage", outage=outage.reference)
    assert response.status_code == 302
    (summary,) = _messages(response)
    assert summary.startswith("2 linked to the outage") and linked_already.reference in summary
    assert "already linked" in summary
    assert set(OutageCall.objects.filter(outage=outage).values_list("incident_id", flat=True)) == {
        c.pk for c in [*calls, linked_already]
    }


def test_another_schools_outage_cannot_be_named(cast, other, client):
    theirs = outage_declare(by=other.spoc, schools=[other.school], title="Elm's broadband is down")
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="No internet")
    client.force_login(cast.spoc)
    response = _submit(client, "/incidents/", tick=[call], action="outage", outage=theirs.reference)
    (summary,) = _messages(response)
    assert f"there is no outage {theirs.reference}" in summary
    assert not OutageCall.objects.exists()
