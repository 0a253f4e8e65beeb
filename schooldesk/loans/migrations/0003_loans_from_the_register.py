"""Every device the register shows as issued or lent (`Asset.issued_to`) before loans existed gets its open Loan, so
that it can be returned through the one lending service (docs/decisions/0028). Handed out on the day of its last
"issued" or "lent" history line, or else the day the asset was last changed."""

from django.db import migrations


def forwards(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    AssetEvent = apps.get_model("assets", "AssetEvent")
    Loan = apps.get_model("loans", "Loan")
    lent = Asset.objects.filter(issued_to__isnull=False).exclude(
        pk__in=Loan.objects.filter(returned_on__isnull=True).values("asset_id")
    )
    batch = []
    for asset in lent.iterator(chunk_size=2000):
        event = (
            AssetEvent.objects.filter(asset_id=asset.pk, kind__in=("issued", "loaned"))
            .order_by("-created_at")
            .only("created_at", "by_id")
            .first()
        )
        when = (event.created_at if event else asset.updated_at).date()
        batch.append(
            Loan(
                school_id=asset.school_id,
                asset_id=asset.pk,
                person_id=asset.issued_to_id,
                issued_on=when,
                due_on=asset.loan_due_on,
                issued_by_id=event.by_id if event else None,
            )
        )
        if len(batch) >= 1000:
            Loan.objects.bulk_create(batch)
            batch = []
    Loan.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0002_agreements_photos"),
        ("assets", "0006_edit_version"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
