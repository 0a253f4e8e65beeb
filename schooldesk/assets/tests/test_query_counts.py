"""The register's pages do a fixed number of queries whatever the number of assets, calls and history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.assets import services
from schooldesk.assets.models import Asset
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

CEILING = 25


def grow(cast, n):
    rooms = list(Location.objects.filter(school=cast.school).order_by("pk")[:5])
    start = Asset.objects.filter(school=cast.school).count()
    hub = Asset.objects.filter(school=cast.school, tag="HUB").first() or AssetFactory(
        school=cast.school, tag="HUB", type_name="Switch"
    )
    for i in range(start, start + n):
        asset = AssetFactory(
            school=cast.school,
            by=cast.spoc,
            tag=f"Q-{i:04d}",
            serial=f"S{i}",
            location=rooms[i % 5],
            type_name=["Laptop", "Projector", "Desktop"][i % 3],
            supplier=cast.supplier,
            issued_to=cast.reporter if i % 4 == 0 else None,
        )
        services.relationship_add(from_asset=asset, kind="connected_to", to_asset=hub, by=cast.spoc)
        services.asset_move(asset=hub, location=rooms[i % 5], by=cast.spoc)
        IncidentFactory(school=cast.school, by=cast.reporter, location=rooms[i % 5], asset=hub, summary=f"Hub {i}")


def pages(cast):
    hub = Asset.objects.get(school=cast.school, tag="HUB")
    laptop = cast.school.assettype_set.get(name="Laptop")
    library = Location.objects.filter(school=cast.school).order_by("pk")[0]
    return {
        "asset list": "/assets/",
        "asset list filtered": f"/assets/?q=Q-&status=in_use&asset_type={laptop.pk}&location={library.pk}"
        f"&warranty=none&ordering=-location",
        "asset page": f"/assets/{hub.pk}/",
        "asset export csv": "/assets/export/",
        "asset export xlsx": "/assets/export/?format=xlsx&status=in_use",
        "audit": f"/assets/audit/?location={library.pk}",
        "types": "/assets/types/",
        "new asset form": "/assets/new/",
        "import": "/assets/import/",
        "report form with a room's devices": f"/incidents/new/?location={library.pk}&asset={hub.pk}",
        "device options": f"/assets/options/?location={library.pk}",
    }


def test_register_pages_query_count_is_fixed(cast, client):
    client.force_login(cast.spoc)
    grow(cast, 4)
    small = {name: count_queries(client, url) for name, url in pages(cast).items()}
    grow(cast, 30)
    client.force_login(cast.spoc)
    large = {name: count_queries(client, url) for name, url in pages(cast).items()}
    assert large == small
    assert max(large.values()) <= CEILING, large


def test_audit_check_query_count_is_fixed(cast, client):
    client.force_login(cast.technician)
    grow(cast, 4)
    library = Location.objects.filter(school=cast.school).order_by("pk")[0]

    def check():
        codes = "\n".join(Asset.objects.filter(school=cast.school).values_list("tag", flat=True)) + "\nUNKNOWN"
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/assets/audit/", {"location": library.pk, "codes": codes, "action": "check"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = check()
    grow(cast, 20)
    assert check() == small
