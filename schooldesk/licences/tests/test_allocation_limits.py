"""Seats cannot be allocated beyond those a licence owns unless the person says so ("Allocate anyway"); an
accepted over-allocation is recorded and shows on the compliance page."""

import pytest
from django.core.exceptions import ValidationError

from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import rendered_form
from schooldesk.licences import services
from schooldesk.licences.models import Allocation, Licence
from schooldesk.licences.tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_an_allocation_beyond_the_free_seats_is_refused(cast):
    licence = LicenceFactory(school=cast.school, product="Office", quantity=10, licence_type="per_user")
    services.allocation_add(licence=licence, by=cast.spoc, person=cast.reporter, quantity=8)
    with pytest.raises(ValidationError, match="2 of its 10 seats free"):
        services.allocation_add(licence=licence, by=cast.spoc, person=cast.technician, quantity=3)
    services.allocation_add(licence=licence, by=cast.spoc, person=cast.technician, quantity=2)
    assert Licence.objects.get(pk=licence.pk).allocated_count == 10


def test_a_site_licence_has_no_seats_to_run_out_of(cast):
    licence = LicenceFactory(school=cast.school, product="Curriculum suite", quantity=None, licence_type="site")
    services.allocation_add(licence=licence, by=cast.spoc, person=cast.reporter, quantity=500)


def test_100000_seats_from_the_page_are_refused_then_accepted_when_the_person_says_so(cast, client):
    licence = LicenceFactory(school=cast.school, product="Maths app", quantity=30, licence_type="per_user")
    client.force_login(cast.spoc)
    action, data = rendered_form(client, f"/licences/{licence.pk}/", "/allocate/")
    data.update(person=cast.reporter.pk, quantity="100000")
    data.pop("over_allocate", None)
    refused = client.post(action, data)
    assert refused.status_code == 400
    assert "30 of its 30 seats free" in refused.content.decode()
    assert not Allocation.objects.filter(licence=licence).exists()

    action, data = rendered_form(client, f"/licences/{licence.pk}/", "/allocate/")
    data.update(person=cast.reporter.pk, quantity="35", over_allocate="on")
    assert client.post(action, data).status_code == 302
    allocation = Allocation.objects.get(licence=licence)
    assert (allocation.quantity, allocation.over_allocated) == (35, 5)
    entry = AuditEntry.objects.get(object_type__iexact="licence", action="over-allocate")
    assert entry.actor == cast.spoc and "over-allocated by 5" in entry.summary

    compliance = client.get("/licences/compliance/").content.decode()
    assert "5 seats allocated beyond those owned" in compliance
    assert "5 seats over-allocated" in client.get(f"/licences/{licence.pk}/").content.decode()
