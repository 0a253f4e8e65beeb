import time

from django.core.management.base import BaseCommand, CommandError

from schooldesk.schools.demo import demo_create
from schooldesk.schools.models import School


class Command(BaseCommand):
    help = "Create the demo desk: Northbridge Borough Council, two schools, their people and a year of calls."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any school exists.")
        parser.add_argument("--incidents", type=int, default=300, help="Calls per school (default 300).")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same data.")

    def handle(self, *args, if_empty=False, incidents=300, seed=2026, **options):
        if School.objects.exists():
            if if_empty:
                self.stdout.write("Schools exist already: the demo data was not added.")
                return
            raise CommandError("Schools exist already. Use a fresh database, or --if-empty to skip quietly.")
        if incidents < 0:
            raise CommandError("--incidents cannot be negative.")
        started = time.perf_counter()
        demo = demo_create(incidents=incidents, seed=seed)
        from schooldesk.budgets.demo import budgets_demo

        budgets_demo(demo)
        from schooldesk.diary.demo import diary_demo

        diary_demo(demo)
        from schooldesk.assets.demo import demo_registers_create

        demo_registers_create(demo, seed=seed)
        from schooldesk.loans.demo import loans_demo  # pupils, the agreement, loans (after the register)

        loans_demo(demo)
        from schooldesk.devicesync.demo import devicesync_demo  # Oakfield's Google console and last night's sync

        devicesync_demo(demo)
        from schooldesk.mail.demo import mail_demo_create

        mail_demo_create(demo)
        from schooldesk.changes.demo import changes_demo  # problems, changes and procedures

        changes_demo(demo)
        from schooldesk.standards.demo import standards_demo  # scheduled checks done and missed

        standards_demo(demo)
        from schooldesk.directory.demo import directory_demo  # a directory connection and last night's report

        directory_demo(demo)
        from schooldesk.core.tasks import database_optimise

        database_optimise()  # statistics for the query planner after the bulk load
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo desk created for {demo.organisation}: {', '.join(s.name for s in demo.schools.values())}, "
                f"{incidents} calls each ({time.perf_counter() - started:.1f} s). "
                "Run `manage.py demo_logins` to see the logins."
            )
        )
