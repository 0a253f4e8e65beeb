"""The demo desk's registers: a realistic asset register per school and a licence list with both over- and
under-licensed products, some calls linked to their device."""

import io

import pytest
from django.core.management import call_command

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset, AssetRelationship
from schooldesk.assets.selectors import assets_affected_by
from schooldesk.incidents.models import Incident
from schooldesk.licences.models import Licence
from schooldesk.licences.selectors import compliance_summary, with_compliance
from schooldesk.schools.models import School

pytestmark = pytest.mark.django_db


def test_each_demo_school_has_a_register_and_a_licence_list_with_over_and_under(db):
    call_command("demo_seed", incidents=40, stdout=io.StringIO())
    for school in School.objects.all():
        assets = Asset.objects.filter(school=school)
        assert 150 <= assets.count() <= 500
        kinds = set(assets.values_list("asset_type__name", flat=True))
        assert {
            "Laptop",
            "Chromebook",
            "Tablet",
            "Interactive panel or whiteboard",
            "Projector",
            "Printer",
            "Switch",
            "Access point",
            "Server",
        } <= kinds
        assert set(assets.values_list("status", flat=True)) == set(AssetStatus.values)
        assert assets.filter(status=AssetStatus.DISPOSED, disposed_on__isnull=False).count() == 2
        assert len(set(assets.values_list("tag", flat=True))) == assets.count()
        core = assets.get(asset_type__name="Switch", model__contains="2930F")
        assert len(assets_affected_by(core)) > 20  # the whole network hangs off the core switch
        assert AssetRelationship.objects.filter(school=school).count() > 50
        summary = compliance_summary(with_compliance(Licence.objects.filter(school=school).select_related("school")))
        assert summary["under"] >= 2 and summary["over"] >= 2 and summary["site"] >= 1
        assert Incident.objects.filter(school=school, asset__isnull=False).exists()
    linked = Incident.objects.filter(asset__isnull=False).select_related("asset")
    assert all(call.asset.school_id == call.school_id for call in linked)
