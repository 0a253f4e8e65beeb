"""`manage.py desk_init`: the first organisation, school and ICT owner, without the Django admin."""

import getpass
import os
import re
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from schooldesk.core.roles import Role
from schooldesk.schools.choices import Governance, Nation, OrganisationKind, Phase
from schooldesk.schools.services import desk_start, desk_start_missing_people

PASSWORD_ENV = "SCHOOLDESK_INIT_PASSWORD"  # noqa: S105 - the name of the variable, not a password
URN = re.compile(r"\d{6}")
#: asked for when missing and a person is at the keyboard: (option, question)
QUESTIONS = [
    ("school", "School name"),
    ("urn", "DfE URN (six digits, blank if none)"),
    ("organisation", "Organisation (the LA or trust; Enter for the school itself)"),
    ("username", "ICT owner's username"),
    ("email", "ICT owner's email"),
]


class Command(BaseCommand):
    help = (
        "Start a desk: create the organisation, the school and its ICT owner (a superuser), and optionally the "
        "first people. Safe to run again: what exists is kept. Missing answers are asked for at a terminal. "
        f"New people's password comes from --password-file, ${PASSWORD_ENV} or the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", help="The school's name.")
        parser.add_argument("--urn", help="The school's DfE unique reference number (six digits).")
        parser.add_argument("--phase", default=Phase.PRIMARY, choices=Phase.values)
        parser.add_argument("--governance", default=Governance.MAINTAINED, choices=Governance.values)
        parser.add_argument(
            "--nation", default=Nation.ENGLAND, choices=Nation.values, help="Whose bank holidays stop the SLA clock."
        )
        parser.add_argument("--organisation", help="The LA, trust or company; the school's own name if omitted.")
        parser.add_argument(
            "--kind",
            choices=OrganisationKind.values,
            help="The organisation's kind: 'school' when it is the school itself (the default "
            "then), 'la' otherwise unless given. The ICT owner of an LA, trust or company "
            "holds the role across all its schools.",
        )
        parser.add_argument("--username", help="The ICT owner's username.")
        parser.add_argument("--email", default=None, help="The ICT owner's email (for password resets).")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--user",
            action="append",
            default=[],
            metavar="USERNAME:ROLE",
            help="Another first person in the school, with the same first password (repeatable); "
            f"roles: {', '.join(Role.values)}.",
        )
        parser.add_argument(
            "--supplier",
            default="",
            help="The second-level provider (the LA's ICT team, a support company) whose staff the "
            "providers among --user are; made in the organisation if it has none of that name.",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            help="A file whose first line is the first password of the people created now.",
        )

    def handle(self, *args, **options):
        interactive = sys.stdin.isatty()
        for option, question in QUESTIONS:
            if options[option] is None and interactive:
                options[option] = input(f"{question}: ").strip()
        missing = [f"--{o}" for o in ("school", "username") if not options[o]]
        if missing:
            raise CommandError(f"Give {' and '.join(missing)} (or run this at a terminal to be asked).")
        urn = (options["urn"] or "").strip()
        if urn and not URN.fullmatch(urn):
            raise CommandError(f"A DfE URN is six digits; “{urn}” is not.")
        organisation = (options["organisation"] or "").strip() or options["school"]
        kind = options["kind"] or (OrganisationKind.SCHOOL if organisation == options["school"] else "la")
        people = [self.person(spec) for spec in options["user"]]
        owner = {
            "username": options["username"],
            "email": options["email"] or "",
            "first_name": options["first_name"],
            "last_name": options["last_name"],
        }
        new = desk_start_missing_people(usernames=[owner["username"]] + [u for u, _ in people])
        password = self.password(options["password_file"], interactive, get_user_model()(**owner)) if new else None
        try:
            started = desk_start(
                organisation_name=organisation,
                organisation_kind=kind,
                school_name=options["school"],
                urn=urn,
                phase=options["phase"],
                governance=options["governance"],
                nation=options["nation"],
                owner=owner,
                people=people,
                password=password,
                supplier_name=options["supplier"].strip(),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        labels = {
            "organisation": f"Organisation {started.organisation}",
            "school": f"School {started.school}",
            "supplier": f"Supplier {options['supplier'].strip()}",
        }
        for key, created in started.created.items():
            self.stdout.write(
                f"{labels.get(key, f'Person {key}')}: {'created' if created else 'already there, kept as it was'}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"The desk for {started.school} is ready: sign in as {owner['username']}.")
        )

    def person(self, spec: str) -> tuple[str, str]:
        username, _, role = spec.partition(":")
        if not username or role not in Role.values:
            raise CommandError(f"--user {spec}: give USERNAME:ROLE with a role among {', '.join(Role.values)}.")
        return username, role

    def password(self, path: Path | None, interactive: bool, user) -> str:
        if path:
            try:
                password = next(iter(path.read_text().splitlines()), "")
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        elif os.environ.get(PASSWORD_ENV):
            password = os.environ[PASSWORD_ENV]
        elif interactive:
            password = getpass.getpass("First password: ")
            if password != getpass.getpass("The same again: "):
                raise CommandError("The two passwords differ.")
        else:
            raise CommandError(f"New people need a first password: give --password-file or set {PASSWORD_ENV}.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password
