"""The home page each person lands on shows their own work."""

import re

import pytest

from schooldesk.incidents.services import incident_escalate, incident_resolve, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_a_provider_lands_on_the_open_calls_escalated_to_their_supplier_most_urgent_first(cast, other, login):
    def escalated(summary, urgency, supplier=cast.supplier, school=cast.school, by=cast.spoc):
        incident = IncidentFactory(school=school, by=by, summary=summary)
        incident = incident_triage(
            incident=incident, by=by, version=incident.version, category=None, impact="I1", urgency=urgency
        )
        return incident_escalate(incident=incident, by=by, version=incident.version, supplier=supplier)

    escalated("Website slow", "U3")
    escalated("Broadband down for the whole school", "U1")
    done = escalated("Fixed already", "U1")
    incident_resolve(incident=done, by=cast.provider, version=done.version, resolution="Router rebooted")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Not escalated")
    escalated("Another school's call", "U1", supplier=other.supplier, school=other.school, by=other.spoc)

    html = login(cast.provider).get("/").content.decode()
    section = html[html.index("Open calls escalated to you") :]
    shown = re.findall(r"</a> ([^<]+)</td>", section)
    assert shown == ["Broadband down for the whole school", "Website slow"]
    assert "Calls I reported" not in html and "No calls here" not in html


def test_each_desk_card_opens_the_queue_section_that_shows_its_count(cast, login):
    """A card's number is the number its link shows (a card once said 13 and opened a list of 17: the list counted
    new and paused calls the card left out)."""
    from datetime import timedelta

    from django.utils import timezone

    from schooldesk.incidents.models import Incident
    from schooldesk.incidents.services import incident_wait

    overdue = timezone.now() - timedelta(hours=3)
    IncidentFactory(school=cast.school, by=cast.reporter, summary="New and overdue")
    worked = IncidentFactory(school=cast.school, by=cast.reporter, summary="Triaged and overdue")
    worked = incident_triage(
        incident=worked, by=cast.spoc, version=worked.version, category=None, impact="I2", urgency="U2"
    )
    waiting = IncidentFactory(school=cast.school, by=cast.reporter, summary="Waiting and overdue")
    waiting = incident_triage(
        incident=waiting, by=cast.spoc, version=waiting.version, category=None, impact="I2", urgency="U2"
    )
    incident_wait(incident=waiting, by=cast.spoc, version=waiting.version, on="reporter", note="Which room?")
    Incident.objects.filter(school=cast.school).update(resolve_due_at=overdue, response_due_at=overdue)

    client = login(cast.spoc)
    home = re.sub(r"\s+", " ", client.get("/").content.decode())
    cards = re.findall(r'<a class="card card-body[^"]*" href="([^"]+)"><span class="fs-3 fw-bold">(\d+)</span>', home)
    assert len(cards) == 4, home[:2000]
    triage = re.sub(r"\s+", " ", client.get("/incidents/triage/").content.decode())
    for href, count in cards:
        path, _hash, anchor = href.partition("#")
        assert path == "/incidents/triage/" and anchor, href
        badge = re.search(rf'id="{anchor}">[^<]*<span class="badge[^"]*">(\d+)</span>', triage)
        assert badge and badge.group(1) == count, (href, count, badge and badge.group(1))
    assert [int(count) for _href, count in cards][:3] == [1, 1, 1]
