# Licence keys encrypted at rest, with a keyed digest for the one-key-per-school check (docs/decisions/0012).

from django.db import migrations, models
from django.utils.crypto import salted_hmac

import schooldesk.core.fields

SALT = "schooldesk.licences.key_digest"


def digest(key: str) -> str:
    """services.licence_key_digest as it is at this migration (kept here, so later changes to it cannot change
    what this migration does; digests made by another rule are made again by the service)."""
    normalised = key.strip().lower()
    if not normalised:
        return ""
    prefix = salted_hmac(SALT, "key id", algorithm="sha256").hexdigest()[:8] + ":"
    return prefix + salted_hmac(SALT, normalised, algorithm="sha256").hexdigest()


def encrypt_existing(apps, schema_editor):
    """Every key, stored in clear until now, written again (the field encrypts it) with its digest."""
    Licence = apps.get_model("licences", "Licence")
    for pk, key in list(Licence.objects.exclude(key="").values_list("pk", "key")):  # SQLite: read, then write
        Licence.objects.filter(pk=pk).update(key=key, key_digest=digest(key))


def decrypt_existing(apps, schema_editor):
    """Back to the clear keys the previous code reads (a Value is written as it is, not encrypted)."""
    Licence = apps.get_model("licences", "Licence")
    for pk, key in list(Licence.objects.exclude(key="").values_list("pk", "key")):
        Licence.objects.filter(pk=pk).update(key=models.Value(key, output_field=models.TextField()), key_digest="")


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0002_licence_counts"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="licence",
            name="licence_unique_key_per_school",
        ),
        migrations.AddField(
            model_name="licence",
            name="key_digest",
            field=models.CharField(blank=True, editable=False, max_length=80),
        ),
        migrations.AlterField(
            model_name="licence",
            name="key",
            field=schooldesk.core.fields.EncryptedTextField(
                blank=True,
                help_text="Seen only by the SPOC, the ICT owner and technicians.",
                max_length=200,
                verbose_name="licence key",
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AddConstraint(
            model_name="licence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key_digest", ""), _negated=True),
                fields=("school", "key_digest"),
                name="licence_unique_key_per_school",
            ),
        ),
    ]
