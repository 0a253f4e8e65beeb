"""The offer matches the refusal: for each of the cast, a licence's page and the licence list offer an action
exactly when the rule the service asks allows it (schooldesk/permissions/rules.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.core.permissions import can
from schooldesk.licences.services import licence_delete
from schooldesk.licences.tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_licence_pages_offer_what_the_rules_allow(cast, login, role):
    user = getattr(cast, role)
    licence = LicenceFactory(school=cast.school, product="Office 365", quantity=10)
    client = login(user)
    page = client.get(reverse("licences:licence_detail", args=[licence.pk]))
    if not can(user, "licences.view", licence):
        assert page.status_code in (403, 404)
        assert client.post(reverse("licences:licence_delete", args=[licence.pk])).status_code in (403, 404)
        return
    text = page.content.decode()
    offers = {
        "licences.change": [reverse("licences:licence_update", args=[licence.pk])],
        "licences.allocate": [
            reverse("licences:licence_allocate", args=[licence.pk]),
            reverse("licences:licence_install", args=[licence.pk]),
        ],
    }
    for name, urls in offers.items():
        for url in urls:
            assert (url in text) == can(user, name, licence), url
    assert (reverse("licences:licence_delete", args=[licence.pk]) in text) == can(user, "licences.change", licence)
    listing = client.get(reverse("licences:licence_list")).content.decode()
    assert (reverse("licences:licence_create") in listing) == can(user, "licences.change", cast.school)
    assert (reverse("licences:installation_import") in listing) == can(user, "licences.allocate", cast.school)
    if not can(user, "licences.change", licence):
        assert client.post(reverse("licences:licence_delete", args=[licence.pk])).status_code in (403, 404)
    if not can(user, "licences.allocate", licence):
        assert client.get(reverse("licences:installation_import")).status_code == 403


def test_a_refusal_carries_the_rules_words(cast):
    licence = LicenceFactory(school=cast.school, product="Office 365", quantity=10)
    with pytest.raises(PermissionDenied, match="Only the SPOC or the ICT owner can change the licence list."):
        licence_delete(licence=licence, by=cast.technician)
