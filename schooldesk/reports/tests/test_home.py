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
