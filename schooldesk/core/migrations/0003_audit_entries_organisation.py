"""The entries written before 0002 get their organisation: a school's, or for a supplier or contact (written with no
school) the supplier's, so the organisation's officers see them on the audit trail."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_organisation(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    School = apps.get_model("schools", "School")
    Supplier = apps.get_model("suppliers", "Supplier")
    Contact = apps.get_model("suppliers", "Contact")
    empty = AuditEntry.objects.filter(organisation__isnull=True)
    empty.filter(school__isnull=False).update(
        organisation_id=Subquery(School.objects.filter(pk=OuterRef("school_id")).values("organisation_id")[:1])
    )
    for model, kind, field in (
        (Supplier, "supplier", "organisation_id"),
        (Contact, "contact", "supplier__organisation_id"),
    ):
        for pk, organisation_id in model.objects.values_list("pk", field):
            empty.filter(school__isnull=True, object_type=kind, object_id=str(pk)).update(
                organisation_id=organisation_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_trail_readable"),
        ("suppliers", "0004_supplier_suggestions"),
    ]

    operations = [migrations.RunPython(fill_organisation, migrations.RunPython.noop)]
