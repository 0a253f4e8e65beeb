# Calendar feed tokens encrypted at rest (docs/decisions/0012); a new person has none until they open their feed
# page, and the people who have one keep it (their calendar apps are subscribed to it).

import secrets

from django.db import migrations, models

import schooldesk.core.fields


def encrypt_existing(apps, schema_editor):
    """Every person's feed token, stored in clear until now, written again (the field encrypts it): the
    addresses people have subscribed to keep working."""
    User = apps.get_model("accounts", "User")
    for pk, token in list(User.objects.exclude(feed_token="").values_list("pk", "feed_token")):  # read, then write
        User.objects.filter(pk=pk).update(feed_token=token)


def decrypt_existing(apps, schema_editor):
    """Back to the clear tokens the previous code reads (a Value is written as it is, not encrypted); a person
    without one gets one, as the previous code expects every person to have one."""
    User = apps.get_model("accounts", "User")
    for pk, token in list(User.objects.exclude(feed_token="").values_list("pk", "feed_token")):
        User.objects.filter(pk=pk).update(feed_token=models.Value(token, output_field=models.TextField()))
    for pk in list(User.objects.filter(feed_token="").values_list("pk", flat=True)):
        User.objects.filter(pk=pk).update(
            feed_token=models.Value(secrets.token_urlsafe(32), output_field=models.TextField())
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="feed_token",
            field=schooldesk.core.fields.EncryptedTextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
