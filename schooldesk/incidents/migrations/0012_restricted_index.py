"""An index of the restricted calls only, by school and status, in date order: the triage queue's "restricted calls
held" rows (safeguarding.selectors.restricted_held) read the few open ones instead of walking a school's every call
in date order (issue 23). Adding an index does not make the calls' table again on SQLite: the full-text index's
triggers stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_satisfaction_good_ok_poor"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("is_restricted", True)),
                fields=["school", "status", "logged_at"],
                name="incident_restricted_idx",
            ),
        ),
    ]
