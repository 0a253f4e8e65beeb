from django.conf import settings
from django.core.management.base import BaseCommand

from schooldesk.demo.schools import DEMO_PASSWORD, demo_exists, demo_logins


class Command(BaseCommand):
    help = "List the demo logins and their password (only when the demo data exists)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Where the desk is served (default: SCHOOLDESK_SITE_URL).")

    def handle(self, *args, url=None, **options):
        url = url or f"{settings.SCHOOLDESK_SITE_URL}/"
        if not demo_exists():
            self.stdout.write("No demo data here (run `manage.py demo_seed` on an empty database to add it).")
            return
        rows = [("Username", "Name", "Role", "School")] + demo_logins()
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write(self.style.MIGRATE_HEADING("SchoolDesk demo logins"))
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Password for every demo login: {self.style.SUCCESS(DEMO_PASSWORD)}")
        self.stdout.write(f"Open {url} in a browser and sign in, for example as oakfield.spoc (the SPOC).")
