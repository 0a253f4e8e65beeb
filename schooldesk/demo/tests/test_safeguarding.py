"""The demo's restricted calls are the DPO's breaches: each has its record, the closed ones decided (one reported to
the ICO with its reference) and the open one with its 72-hour clock running, so the breach log is not empty while
the triage queue says the DPO holds a breach."""

import io
import re

import pytest
from django.core.management import call_command

from schooldesk.accounts.models import User
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.safeguarding.choices import Notifiable
from schooldesk.safeguarding.models import Breach

pytestmark = pytest.mark.django_db


def test_every_restricted_demo_call_has_its_breach_record_and_the_dpo_sees_them(client):
    call_command("demo_seed", incidents=120, stdout=io.StringIO())
    restricted = Incident.objects.filter(is_restricted=True)
    assert restricted.exists()
    assert Breach.objects.count() == restricted.count()
    open_ones = Breach.objects.filter(incident__status__in=ACTIVE_STATUSES)
    assert all(b.clock_running for b in open_ones)
    closed = Breach.objects.exclude(incident__status__in=ACTIVE_STATUSES)
    assert all(b.notifiable in (Notifiable.YES, Notifiable.NO) and b.notifiable_reason for b in closed)
    client.force_login(User.objects.get(username="oakfield.dpo"))
    log = re.sub(r"\s+", " ", client.get("/safeguarding/breaches/").content.decode())
    oakfield = Breach.objects.filter(school__name="Oakfield Primary School")
    assert oakfield.exists() and "No breaches have been recorded" not in log
    for breach in oakfield:
        assert breach.incident.reference in log
