"""The offer matches the refusal: for each of the cast, the asset register's pages offer an action (a form, a
button, a link) exactly when the rule the service asks allows it (schooldesk/permissions/rules.py), and a person
the rule refuses is not offered it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.assets.services import asset_dispose
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.permissions import can

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")

#: the asset page's action forms: the rule each one's service asks
ACTIONS = {"move": "assets.change", "issue": "loans.lend", "status": "assets.change", "relate": "assets.change"}


@pytest.mark.parametrize("role", CAST)
def test_the_asset_page_offers_what_the_rules_allow(cast, login, role):
    user = getattr(cast, role)
    asset = AssetFactory(school=cast.school)
    client = login(user)
    page = client.get(reverse("assets:asset_detail", args=[asset.pk]))
    if not can(user, "assets.change", asset):
        assert page.status_code in (403, 404)
        assert client.post(reverse("assets:asset_status", args=[asset.pk]), {"status": "retired"}).status_code in (
            403,
            404,
        )
        asset.refresh_from_db()
        assert asset.status != "retired"
        return
    text = page.content.decode()
    for action, name in ACTIONS.items():
        assert (reverse(f"assets:asset_{action}", args=[asset.pk]) in text) == can(user, name, asset), action
    assert (reverse("assets:asset_dispose", args=[asset.pk]) in text) == can(user, "assets.dispose", asset)


@pytest.mark.parametrize("role", CAST)
def test_the_register_offers_the_desks_pages_to_the_desk(cast, login, role):
    user = getattr(cast, role)
    client = login(user)
    page = client.get(reverse("assets:asset_list"))
    if not can(user, "assets.change", cast.school):
        assert page.status_code == 403
        return
    text = page.content.decode()
    for url, name in (
        ("assets:import_upload", "assets.import"),
        ("assets:location_labels", "assets.room_labels"),
        ("assets:assettype_list", "assets.change_types"),
        ("assets:asset_bulk", "assets.bulk"),
    ):
        assert (reverse(url) in text) == can(user, name, cast.school), url
        if not can(user, name, cast.school):
            assert client.get(reverse(url)).status_code in (403, 405)


def test_a_refusal_carries_the_rules_words(cast):
    asset = AssetFactory(school=cast.school)
    with pytest.raises(PermissionDenied, match="Only the SPOC or the ICT owner can record a disposal."):
        asset_dispose(asset=asset, by=cast.technician, disposed_on=asset.created_at.date(), method="weee")
