"""The offer matches the refusal: for each of the cast, the locations pages offer a change exactly when the rule
"locations.change" allows it (schooldesk/permissions/rules.py), and the API refuses with the rule's own words."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from schooldesk.accounts.services import api_token_create
from schooldesk.core.permissions import can
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_locations_page_offers_what_the_rule_allows(cast, login, role):
    user = getattr(cast, role)
    location = Location.objects.create(school=cast.school, name="Mrs Brown's class")
    client = login(user)
    allowed = can(user, "locations.change", location)
    assert allowed == (role in ("spoc", "owner"))
    page = client.get(reverse("locations:location_list"))
    if allowed:
        text = page.content.decode()
        assert reverse("locations:location_create") in text
        assert reverse("locations:location_update", args=[location.pk]) in text
        assert reverse("locations:location_archive", args=[location.pk]) in text
        assert client.get(reverse("locations:location_update", args=[location.pk])).status_code == 200
    else:
        assert page.status_code == 403
        assert client.get(reverse("locations:location_create")).status_code == 403
        assert client.post(reverse("locations:location_archive", args=[location.pk])).status_code == 403
        location.refresh_from_db()
        assert not location.is_archived


def test_the_api_refuses_with_the_rules_words(cast):
    location = Location.objects.create(school=cast.school, name="Mrs Brown's class")
    _token, secret = api_token_create(user=cast.technician, name="script", scope="write")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.patch(f"/api/v1/locations/{location.pk}/", {"name": "Hall 2"}, format="json")
    assert answer.status_code == 403
    assert "Only the school's desk can change its locations." in answer.content.decode()
