"""manage.py rotate_secrets: every stored secret written again with the first of SCHOOLDESK_SECRET_KEYS.

To change the key: put the new key first (the old one after it), restart, run this, then remove the old key.
Secrets still in clear (written before they were encrypted) are encrypted too. Each row is read and written
under a row lock, so a token the worker refreshes meanwhile is never overwritten with the old one.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from schooldesk.core.fields import encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (mailbox passwords, OAuth secrets and tokens) with the first key."

    def handle(self, *args, **options):
        total = 0
        for model, names in encrypted_fields():
            rows = 0
            for pk in model._base_manager.values_list("pk", flat=True).order_by("pk"):
                with transaction.atomic():
                    # read decrypted with any of the keys, written encrypted with the first
                    values = model._base_manager.select_for_update().filter(pk=pk).values(*names).first()
                    if values is None:  # deleted meanwhile
                        continue
                    model._base_manager.filter(pk=pk).update(**values)
                    rows += 1
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows} rows ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"{total} rows re-encrypted with the first key."))
