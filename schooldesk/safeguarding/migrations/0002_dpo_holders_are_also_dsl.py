"""The one role "DPO / DSL" became two (docs/decisions/0023): everyone who held it keeps seeing what they saw, so
each DPO membership gets a DSL membership beside it (same school or organisation). Reversing removes only the DSL
memberships that sit beside a DPO one."""

from django.db import migrations


def grant(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    existing = set(Membership.objects.filter(role="dsl").values_list("user_id", "school_id", "organisation_id"))
    new = []
    for m in Membership.objects.filter(role="dpo"):
        if (m.user_id, m.school_id, m.organisation_id) not in existing:
            new.append(
                Membership(user_id=m.user_id, school_id=m.school_id, organisation_id=m.organisation_id, role="dsl")
            )
    Membership.objects.bulk_create(new)


def ungrant(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    for m in Membership.objects.filter(role="dpo"):
        Membership.objects.filter(
            user_id=m.user_id, school_id=m.school_id, organisation_id=m.organisation_id, role="dsl"
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_membership_role_dsl"),
        ("safeguarding", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, ungrant)]
