"""Satisfaction moves from a score of 1–5 to one question: good / OK / poor (decision 0022).

The old scores map 4–5 → good, 3 → OK, 1–2 → poor; a call rated before was, by definition, asked, so its
`satisfaction_asked_at` is its resolution time (else its closing time)."""

from importlib import import_module

from django.db import migrations, models

#: SQLite makes the calls' table again to add a NOT NULL column, which drops the full-text index's triggers:
#: the index (with its triggers) is made again afterwards, going either way
SEARCH = import_module("schooldesk.incidents.migrations.0007_search_index_word_forms")

OLD_TO_NEW = {5: "good", 4: "good", 3: "ok", 2: "poor", 1: "poor"}
NEW_TO_OLD = {"good": 5, "ok": 3, "poor": 1}


def forwards(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    for score, rating in OLD_TO_NEW.items():
        for incident in Incident.objects.filter(satisfaction_score=score).only("pk", "resolved_at", "closed_at"):
            asked = incident.resolved_at or incident.closed_at
            Incident.objects.filter(pk=incident.pk).update(
                satisfaction=rating, satisfaction_asked_at=asked, satisfaction_at=incident.closed_at or asked
            )


def backwards(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    for rating, score in NEW_TO_OLD.items():
        Incident.objects.filter(satisfaction=rating).update(satisfaction_score=score)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_category_needs_approval_and_awaiting_approval")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, SEARCH.run(SEARCH.UP)),
        migrations.RenameField("incident", "satisfaction", "satisfaction_score"),
        migrations.AddField(
            model_name="incident",
            name="satisfaction",
            field=models.CharField(
                blank=True,
                choices=[("good", "Good"), ("ok", "OK"), ("poor", "Poor")],
                max_length=4,
                verbose_name="how the reporter rated it",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="satisfaction_comment",
            field=models.CharField(blank=True, max_length=500, verbose_name="the reporter's comment on the rating"),
        ),
        migrations.AddField(
            model_name="incident",
            name="satisfaction_asked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rating asked for at"),
        ),
        migrations.AddField(
            model_name="incident",
            name="satisfaction_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rated at"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("incident", "satisfaction_score"),
        migrations.RunPython(SEARCH.run(SEARCH.UP), migrations.RunPython.noop),
    ]
