"""School A's asset register for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.assets.importer import asset_import_upload
from schooldesk.assets.models import AssetRelationship
from schooldesk.assets.services import relationship_add
from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.locations.models import Location

SECTION = "assets"
PK = "asset"
PARAMS = {"asset_type_pk": "asset_type", "asset_import_pk": "asset_import", "relationship_pk": "asset_relationship"}

API = {"asset-types": "asset_type"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    room = Location.objects.create(school=cast.school, name=f"{secret} asset room")
    kind = asset_type(cast.school, "Other")
    kind.name = f"{secret} type"
    kind.save()
    asset = AssetFactory(
        school=cast.school,
        tag=f"{secret}-1",
        serial=f"{secret}-SN",
        location=room,
        asset_type=kind,
        notes=f"{secret} notes",
        support_ends_on=date.today() + timedelta(days=400),
    )
    switch = AssetFactory(school=cast.school, tag=f"{secret}-2", location=room, type_name="Switch")
    relationship_add(from_asset=asset, kind="connected_to", to_asset=switch, by=None)
    csv = SimpleUploadedFile(f"{secret}.csv", f"Asset tag,Type\n{secret}-9,Laptop\n".encode(), content_type="text/csv")
    upload = asset_import_upload(school=cast.school, upload=csv, by=None)
    return {
        "asset": asset,
        "asset_type": kind,
        "asset_import": upload,
        "asset_relationship": AssetRelationship.objects.get(from_asset=asset),
    }
