import time

from django.core.management.base import BaseCommand, CommandError

from schooldesk.core.tasks import database_optimise
from schooldesk.demo.assets import demo_registers_create
from schooldesk.demo.budgets import budgets_demo
from schooldesk.demo.changes import changes_demo
from schooldesk.demo.devicesync import devicesync_demo
from schooldesk.demo.diary import diary_demo
from schooldesk.demo.directory import directory_demo
from schooldesk.demo.loans import loans_demo
from schooldesk.demo.mail import mail_demo_create
from schooldesk.demo.safeguarding import safeguarding_demo
from schooldesk.demo.schools import demo_create
from schooldesk.demo.standards import standards_demo
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
        safeguarding_demo(demo)  # the breach records of the restricted calls
        budgets_demo(demo)
        diary_demo(demo)
        demo_registers_create(demo, seed=seed)
        loans_demo(demo)  # pupils, the agreement, loans (after the register)
        devicesync_demo(demo)  # Oakfield's Google console and last night's sync
        mail_demo_create(demo)
        changes_demo(demo)  # problems, changes and procedures
        standards_demo(demo)  # scheduled checks done and missed
        directory_demo(demo)  # a directory connection and last night's report
        database_optimise()  # statistics for the query planner after the bulk load
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo desk created for {demo.organisation}: {', '.join(s.name for s in demo.schools.values())}, "
                f"{incidents} calls each ({time.perf_counter() - started:.1f} s). "
                "Run `manage.py demo_logins` to see the logins."
            )
        )
