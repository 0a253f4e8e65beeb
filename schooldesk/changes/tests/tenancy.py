"""School A's requests for change for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from datetime import date

from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.changes.models import StandardChange
from schooldesk.changes.services import (
    affected_asset_add,
    milestone_add,
    new_asset_add,
    new_licence_add,
    standard_change_save,
)
from schooldesk.changes.tests.factories import ChangeFactory

SECTION = "changes"
PK = "change_request"
PARAMS = {
    "milestone_pk": "change_milestone",
    "new_asset_pk": "change_new_asset",
    "new_licence_pk": "change_new_licence",
    "affected_pk": "change_affected_asset",
    "standard_pk": "standard_change",
}

API = {"milestones": "change_milestone"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    change = ChangeFactory(school=cast.school, by=None, title=f"{secret} new switches", reason=f"{secret} reason")
    device = AssetFactory(school=cast.school, tag=f"{secret}-SW1")
    standard = standard_change_save(
        standard=StandardChange(
            school=cast.school, title=f"{secret} add a printer", description=f"{secret} steps", authorised_by=cast.owner
        ),
        by=None,
    )
    return {
        "change_request": change,
        "change_milestone": milestone_add(change=change, by=None, title=f"{secret} order", due_on=date(2030, 1, 2)),
        "change_new_asset": new_asset_add(
            change=change, by=None, tag=f"{secret}-NEW1", asset_type=asset_type(cast.school, "Switch")
        ),
        "change_new_licence": new_licence_add(
            change=change, by=None, product=f"{secret} firmware", licence_type="site"
        ),
        "change_affected_asset": affected_asset_add(change=change, by=None, asset=device, note=f"{secret} moved"),
        "standard_change": standard,
    }
