"""An asset is issued to one person at a time: a second "Issue to a person" is refused with a clear message,
whoever asked first (the race itself, with real parallel connections, is in test_concurrency.py)."""

import pytest
from django.core.exceptions import ValidationError

from schooldesk.assets import services
from schooldesk.assets.models import Asset
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.pages import rendered_form

pytestmark = pytest.mark.django_db


def test_issuing_an_asset_already_issued_is_refused(cast):
    asset = AssetFactory(school=cast.school)
    services.asset_issue(asset=asset, person=cast.reporter, by=cast.spoc)
    with pytest.raises(ValidationError, match="already issued to"):
        services.asset_issue(asset=asset, person=cast.technician, by=cast.spoc)
    assert Asset.objects.get(pk=asset.pk).issued_to == cast.reporter


def test_the_issue_form_rendered_twice_issues_once_and_tells_the_second(cast, client):
    """Two people open the asset's page, both choose a person and press Issue: the second is told, not "Issued."."""
    asset = AssetFactory(school=cast.school)
    client.force_login(cast.spoc)
    action, first = rendered_form(client, f"/assets/{asset.pk}/", "/issue/")
    _action, second = rendered_form(client, f"/assets/{asset.pk}/", "/issue/")
    first["person"], second["person"] = cast.reporter.pk, cast.technician.pk
    assert client.post(action, first).status_code == 302
    refused = client.post(action, second)
    assert refused.status_code == 400
    assert "already issued to" in refused.content.decode()
    assert Asset.objects.get(pk=asset.pk).issued_to == cast.reporter
    assert client.get(f"/assets/{asset.pk}/").content.decode().count(f'action="/assets/{asset.pk}/issue/"') == 0
