"""manage.py catalogue check|update: the Welsh catalogue kept whole (schooldesk/core/catalogue.py, decision 0035).

check   (make lint) every string the code marks for translation is in locale/cy/LC_MESSAGES/django.po, and
        django.mo is compiled from it; nothing is written.
update  (make messages) the .po again from the code, new strings untranslated, and the .mo compiled.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schooldesk.core import catalogue


class Command(BaseCommand):
    help = "Check (check) or rewrite (update) the Welsh catalogue from the strings the code marks for translation."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "update"])
        parser.add_argument("--root", default=str(settings.BASE_DIR), help="the project to read (default: this one)")

    def handle(self, *args, action, root, **options):
        root = Path(root)
        po = catalogue.catalogue_path(root)
        if action == "update":
            catalogue.update(root)
            self.stdout.write(
                f"{po} and its .mo written: translate the new entries (empty msgstr), then run "
                "`make messages` again to compile them."
            )
            return
        missing = catalogue.missing(root, po)
        problems = [f"  {ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in missing]
        if problems:
            raise CommandError(
                f"{len(problems)} strings marked for translation are not in {po}:\n"
                + "\n".join(problems[:50])
                + "\nRun `make messages` and commit the catalogue (docs/decisions/0035)."
            )
        if not catalogue.mo_is_fresh(po):
            raise CommandError(f"{po.with_suffix('.mo')} is not compiled from the .po: run `make messages`.")
        self.stdout.write("The Welsh catalogue has every string, and its .mo is fresh.")
