import pytest
from django.urls import reverse

from schooldesk.accounts.tests.factories import MembershipFactory
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import PRESET_LOCATIONS, Location
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_new_school_starts_with_presets(cast):
    names = set(Location.objects.filter(school=cast.school).values_list("name", flat=True))
    assert {"ICT suite", "Library", "School office", "Staff room", "Hall", "Server / comms room"} <= names
    assert len(names) == len(PRESET_LOCATIONS)


def test_spoc_adds_renames_and_archives(cast, login):
    client = login(cast.spoc)
    response = client.post(
        reverse("locations:location_create"), {"school": cast.school.pk, "name": "Mrs Brown's class"}
    )
    assert response.status_code == 302
    location = Location.objects.get(school=cast.school, name="Mrs Brown's class")
    client.post(
        reverse("locations:location_update", args=[location.pk]),
        {"name": "Mrs Brown's class (Year 2)", "building": "Infants"},
    )
    location.refresh_from_db()
    assert location.name == "Mrs Brown's class (Year 2)" and location.building == "Infants"
    client.post(reverse("locations:location_archive", args=[location.pk]))
    location.refresh_from_db()
    assert location.is_archived
    form = client.get(reverse("incidents:incident_create")).content.decode()
    assert f'<option value="{location.pk}"' not in form  # archived locations leave the drop-down
    client.post(reverse("locations:location_restore", args=[location.pk]))
    location.refresh_from_db()
    assert not location.is_archived


def test_duplicate_name_refused_with_message_and_input_kept(cast, login):
    client = login(cast.spoc)
    response = client.post(
        reverse("locations:location_create"), {"school": cast.school.pk, "name": "library", "building": "Block B"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "already a location called" in html and "Block B" in html


def test_location_in_use_is_archived_not_deleted(cast, login):
    location = Location.objects.get(school=cast.school, name="Hall")
    IncidentFactory(school=cast.school, by=cast.reporter, location=location)
    client = login(cast.spoc)
    client.post(reverse("locations:location_delete", args=[location.pk]))
    location.refresh_from_db()
    assert location.is_archived
    unused = Location.objects.get(school=cast.school, name="Music room")
    client.post(reverse("locations:location_delete", args=[unused.pk]))
    assert not Location.objects.filter(pk=unused.pk).exists()


def test_location_holding_an_asset_is_archived_not_deleted(cast, login):
    """Regression: only calls used to count, so deleting a room with equipment in it raised ProtectedError (500)."""
    from schooldesk.assets.tests.factories import AssetFactory

    location = Location.objects.get(school=cast.school, name="Music room")
    AssetFactory(school=cast.school, location=location)
    response = login(cast.spoc).post(reverse("locations:location_delete", args=[location.pk]))
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.is_archived


def test_reporter_cannot_manage_locations(cast, login):
    client = login(cast.reporter)
    assert client.get(reverse("locations:location_list")).status_code == 403
    assert client.post(reverse("locations:location_create"), {"school": cast.school.pk, "name": "X"}).status_code == 403


def test_spoc_cannot_add_location_to_another_school(cast, other, login):
    """A one-school SPOC's page has no school field: a school added to the post is ignored, never obeyed."""
    client = login(cast.spoc)
    response = client.post(reverse("locations:location_create"), {"school": other.school.pk, "name": "Sneaky"})
    assert response.status_code == 302
    assert not Location.objects.filter(name="Sneaky", school=other.school).exists()
    assert Location.objects.filter(name="Sneaky", school=cast.school).exists()


def test_a_spoc_of_two_schools_chooses_one_of_theirs_and_only_theirs(cast, other, login):
    second = SchoolFactory(organisation=cast.school.organisation, name="Second Primary")
    MembershipFactory(user=cast.spoc, school=second, role="spoc")
    client = login(cast.spoc)
    page = client.get(reverse("locations:location_create")).content.decode()
    assert 'name="school"' in page and "Second Primary" in page and other.school.name not in page
    refused = client.post(reverse("locations:location_create"), {"school": other.school.pk, "name": "Sneaky"})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert client.post(reverse("locations:location_create"), {"school": second.pk, "name": "Annexe"}).status_code == 302
    assert Location.objects.get(name="Annexe").school == second


def test_qr_link_opens_report_form_with_location(cast, login):
    location = Location.objects.get(school=cast.school, name="Library")
    client = login(cast.reporter)
    response = client.get(reverse("incidents:report_here", args=[location.pk]), follow=True)
    assert response.status_code == 200
    assert f'<option value="{location.pk}" selected>' in response.content.decode()


def test_a_name_already_used_is_said_in_words_on_the_form(cast, login):
    """Found using the desk: the model's constraint answered first, "Location with this School and Name already
    exists.", in a box at the top of the form instead of beside the name."""
    client = login(cast.spoc)
    client.post(reverse("locations:location_create"), {"name": "Mrs Brown's class"})
    again = client.post(reverse("locations:location_create"), {"name": "mrs brown's CLASS"})
    html = again.content.decode()
    assert again.status_code == 400 and "There is already a location called" in html
    assert "already exists" not in html and 'id="id_name_error"' in html
