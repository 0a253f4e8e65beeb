"""The peer in `make bench`: django-helpdesk 2.6.1 with the same calls, measured beside SchoolDesk.

`bench/run.py` calls this module for each size it compares (20,000 and 100,000 calls by default):

1. `environment()`: a separate virtual environment, bench-data/helpdesk-venv (git-ignored), made with the
   Python that runs the bench, holding django-helpdesk 2.6.1 from PyPI and the same Django and gunicorn
   versions as SchoolDesk's; kept while those versions still match.
2. `export_calls()`: SchoolDesk's calls and timelines, read through its models, into a JSON-lines file in
   bench-data/ (summary, narrative, status, priority, dates, assignee, reporter, timeline with field changes).
3. `build()`: runs this module with the helpdesk environment's Python (`python -m bench.helpdesk import …`,
   Django set up with bench/helpdesk_project): helpdesk's own migrations, one queue per school, the
   people, then the tickets, follow-ups and ticket changes with bulk_create, keeping SchoolDesk's ids, and a
   staff user for the bench; SQLite configured and analysed as SchoolDesk's is.
4. `measure()`: gunicorn with the same workers on 127.0.0.1, sign-in over HTTP, then the same load client
   (bench/run.py's `run_scenario`) on the ticket list, a ticket page, search and ticket creation.

What each helpdesk page costs is what a person's browser asks for it: the ticket list and search are an
HTML page whose table rows arrive from a second, JSON request (DataTables, server-side), so a timed request
there is that pair, one after the other. `COMPARED` pairs the scenarios; `report_lines()` writes the table.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
VENV = DATA / "helpdesk-venv"
VERSION = "2.6.1"
SETTINGS = "bench.helpdesk_project.settings"
STAFF = "bench.staff"
SEARCH = "projector"  # the same word as SchoolDesk's text search scenario
DATATABLES = {"draw": "1", "start": "0", "length": "25", "search[value]": "", "search[regex]": "false"}

#: SchoolDesk status -> django-helpdesk status (1 open, 2 reopened, 3 resolved, 4 closed, 5 duplicate)
STATUS = {"resolved": 3, "closed": 4, "cancelled": 4, "duplicate": 5}  # every active status: 1 (open)
ON_HOLD = {"waiting_reporter", "waiting_supplier"}
PRIORITY = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}  # both: 1 critical … 5 lowest

#: the comparison table: (page, SchoolDesk scenario, django-helpdesk scenario)
COMPARED = [
    ("Call list, as first opened", "Incident list", "Ticket list"),
    ("Call list, every status", "Incident list", "Ticket list, every status"),
    ("Call page, as shown", "Incident page and its suggestions", "Ticket page"),
    (f'Search "{SEARCH}"', "Text search", "Search"),
    ("New call (POST)", "Log a call", "New ticket"),
]


@dataclass
class Comparison:
    size: int
    facts: dict  # SchoolDesk's data set at this size
    ours: list = field(default_factory=list)  # bench.run.Scenario
    peer: list = field(default_factory=list)
    peer_facts: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)  # 1-minute load average as each side started
    problem: str = ""


# --- the environment --------------------------------------------------------------------------
def python() -> Path:
    return VENV / "bin" / "python"


def environment(*, django_version: str, gunicorn_version: str) -> str:
    """Make or reuse the helpdesk environment; returns what it holds ("django-helpdesk 2.6.1, …")."""
    wanted = {"django-helpdesk": VERSION, "Django": django_version, "gunicorn": gunicorn_version}
    if installed(wanted) != wanted:
        if not python().exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
        pins = [f"{name}=={version}" for name, version in wanted.items()]
        done = subprocess.run(  # noqa: S603 - pip of our own environment, pinned names from PyPI
            [str(python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"pip install {' '.join(pins)} failed:\n{done.stderr[-2000:]}")
        if installed(wanted) != wanted:
            raise RuntimeError(f"the helpdesk environment holds {installed(wanted)}, not {wanted}")
    return ", ".join(f"{name} {version}" for name, version in wanted.items())


def installed(wanted: dict) -> dict:
    if not python().exists():
        return {}
    code = "import importlib.metadata as m, json, sys; print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
    command = [str(python()), "-c", code, *wanted]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return json.loads(done.stdout) if done.returncode == 0 else {}


def peer_environment(database: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"} and not k.startswith("SCHOOLDESK_")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "HELPDESK_BENCH_DATABASE": str(database),
            "HELPDESK_BENCH_SECRET_KEY": secrets.token_urlsafe(40),
        }
    )
    return env


# --- SchoolDesk's side: export --------------------------------------------------------------------
def export_calls(path: Path) -> dict:
    """Every call in the bench database with its timeline, one JSON array a line (run with SchoolDesk's
    Django set up). Ids are kept, so a ticket page shows the same call as the SchoolDesk page it is
    compared with."""
    from django.utils.text import slugify

    from schooldesk.accounts.models import Membership, User
    from schooldesk.core.roles import STAFF_ROLES
    from schooldesk.incidents.choices import UpdateKind
    from schooldesk.incidents.models import Incident, IncidentUpdate
    from schooldesk.schools.models import School

    staff = set(Membership.objects.filter(role__in=STAFF_ROLES).values_list("user_id", flat=True))
    kinds = dict(UpdateKind.choices)
    counts = {"tickets": 0, "followups": 0}
    with path.open("w") as out:

        def line(*row):
            out.write(json.dumps(row, default=str, separators=(",", ":")) + "\n")

        for pk, name, short in School.objects.order_by("pk").values_list("pk", "name", "short_name"):
            line("queue", pk, name, slugify(short))
        for pk, username, first, last, email in User.objects.order_by("pk").values_list(
            "pk", "username", "first_name", "last_name", "email"
        ):
            line("user", pk, username, first, last, email, pk in staff)
        calls = Incident.objects.order_by("pk").values_list(
            "pk",
            "school_id",
            "summary",
            "description",
            "expected",
            "happened",
            "checked",
            "device",
            "status",
            "priority",
            "logged_at",
            "updated_at",
            "resolve_due_at",
            "resolution",
            "assigned_to_id",
            "reported_by__email",
            "reporter_contact",
        )
        for (
            pk,
            school,
            summary,
            description,
            expected,
            happened,
            checked,
            device,
            status,
            priority,
            logged,
            updated,
            due,
            resolution,
            assignee,
            email,
            contact,
        ) in calls.iterator(chunk_size=5000):
            narrative = [description] + [
                f"{label}: {text}"
                for label, text in (
                    ("Expected", expected),
                    ("Happened", happened),
                    ("Checked", checked),
                    ("Device", device),
                )
                if text
            ]
            line(
                "ticket",
                pk,
                school,
                summary,
                "\n\n".join(t for t in narrative if t),
                STATUS.get(status, 1),
                status in ON_HOLD,
                PRIORITY.get(priority, 3),
                logged,
                updated,
                due,
                resolution,
                assignee,
                email or (contact if "@" in contact else None),
            )
            counts["tickets"] += 1
        updates = IncidentUpdate.objects.order_by("pk").values_list(
            "pk",
            "incident_id",
            "created_at",
            "kind",
            "body",
            "is_public",
            "author_id",
            "field",
            "old_value",
            "new_value",
            "minutes_spent",
        )
        for pk, call, at, kind, body, public, author, name, old, new, minutes in updates.iterator(chunk_size=10000):
            new_status = STATUS.get(new, 1) if name == "status" else None
            line(
                "followup",
                pk,
                call,
                at,
                kinds.get(kind, kind),
                body,
                public,
                author,
                name,
                old,
                new,
                new_status,
                minutes,
            )
            counts["followups"] += 1
    counts["mb"] = path.stat().st_size / 1e6
    return counts


# --- django-helpdesk's side: import (runs in the helpdesk environment) -----------------------------
def import_calls(export: Path, password: str) -> dict:
    """Migrate, then load the export with bulk_create; prints and returns counts."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from helpdesk.models import FollowUp, Queue, Ticket, TicketChange

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    for name in ("created", "modified"):  # bulk_create would stamp "now" on these; the calls have their dates
        column = Ticket._meta.get_field(name)
        column.auto_now = column.auto_now_add = False
    user_model, users, counts = get_user_model(), {}, {"tickets": 0, "followups": 0, "changes": 0}
    tickets, followups, changes = [], [], []

    def flush(force=False):
        for rows, model in ((tickets, Ticket), (followups, FollowUp), (changes, TicketChange)):
            if rows and (force or len(rows) >= 5000):
                model.objects.bulk_create(rows)
                rows.clear()

    def when(value):
        return datetime.fromisoformat(value) if value else None

    with export.open() as lines, transaction.atomic():  # SQLite checks the foreign keys at commit
        for raw in lines:
            kind, *row = json.loads(raw)
            if kind == "queue":
                pk, title, slug = row
                Queue.objects.create(id=pk, title=title, slug=slug, allow_public_submission=False)
            elif kind == "user":
                pk, username, first, last, email, staff = row
                # one at a time: django-helpdesk's post_save signal gives each person their UserSettings
                users[pk] = user_model.objects.create_user(
                    username, email, None, first_name=first, last_name=last, is_staff=staff
                ).pk
            elif kind == "ticket":
                (
                    pk,
                    queue,
                    title,
                    description,
                    status,
                    hold,
                    priority,
                    created,
                    modified,
                    due,
                    resolution,
                    assignee,
                    email,
                ) = row
                tickets.append(
                    Ticket(
                        id=pk,
                        queue_id=queue,
                        title=title[:200],
                        description=description,
                        status=status,
                        on_hold=hold,
                        priority=priority,
                        created=when(created),
                        modified=when(modified),
                        due_date=when(due),
                        resolution=resolution or None,
                        assigned_to_id=users.get(assignee),
                        submitter_email=email,
                    )
                )
                counts["tickets"] += 1
            else:
                pk, ticket, date, title, comment, public, author, name, old, new, new_status, minutes = row
                followups.append(
                    FollowUp(
                        id=pk,
                        ticket_id=ticket,
                        date=when(date),
                        title=title,
                        comment=comment,
                        public=public,
                        user_id=users.get(author),
                        new_status=new_status,
                        time_spent=timedelta(minutes=minutes) or None,
                    )
                )
                if name:
                    changes.append(TicketChange(followup_id=pk, field=name, old_value=old, new_value=new))
                    counts["changes"] += 1
                counts["followups"] += 1
            flush()
        flush(force=True)
        user_model.objects.create_user(
            STAFF, "staff@example.org", password, first_name="Bench", last_name="Staff", is_staff=True
        )
    with connection.cursor() as cursor:  # as SchoolDesk's nightly task does for its own database
        cursor.execute("PRAGMA optimize")
        cursor.execute("ANALYZE")
    counts["queues"] = list(Queue.objects.order_by("pk").values("id", "slug"))
    counts["seconds"] = time.perf_counter() - started
    return counts


# --- orchestration (SchoolDesk's bench process) ---------------------------------------------------
def build(*, size: int, password: str, reuse: bool) -> dict:
    """The helpdesk database for this size: reused when asked and present, otherwise made afresh from an
    export of the SchoolDesk bench database that Django is connected to."""
    database, export, built = (
        DATA / f"helpdesk-{size}.sqlite3",
        DATA / f"helpdesk-calls-{size}.jsonl",
        DATA / f"helpdesk-{size}.json",
    )
    if reuse and database.exists() and built.exists():
        return counted(database, json.loads(built.read_text()) | {"reused": True})
    built.unlink(missing_ok=True)
    for path in DATA.glob(f"{database.name}*"):
        path.unlink()
    started = time.perf_counter()
    exported = export_calls(export)
    done = subprocess.run(  # noqa: S603 - the helpdesk environment's Python running this module
        [str(python()), "-m", "bench.helpdesk", "import", str(export)],
        cwd=ROOT,
        env=peer_environment(database) | {"HELPDESK_BENCH_PASSWORD": password},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"importing into django-helpdesk failed:\n{done.stderr[-3000:]}")
    facts = json.loads(done.stdout.strip().splitlines()[-1]) | {
        "export_mb": exported["mb"],
        "build_seconds": time.perf_counter() - started,
    }
    built.write_text(json.dumps(facts))
    return counted(database, facts | {"reused": False})


def counted(database: Path, facts: dict) -> dict:
    """What the database holds now (a reused one has the tickets earlier runs created)."""
    with closing(sqlite3.connect(database)) as db:
        for key, table in (("tickets", "ticket"), ("followups", "followup"), ("changes", "ticketchange")):
            facts[key] = db.execute(f"SELECT count(*) FROM helpdesk_{table}").fetchone()[0]  # noqa: S608
    return facts | {"database": str(database), "db_mb": database.stat().st_size / 1e6}


def data_url(content: bytes) -> str:
    """The DataTables request that the ticket list page makes for its rows, as a browser sends it."""
    match = re.search(rb'"url": "(/helpdesk/datatables_ticket_list/[^"]+)"', content)
    if not match:
        raise RuntimeError("the ticket list page has no datatables_ticket_list URL")
    return f"{match.group(1).decode()}?{urlencode(DATATABLES)}"


def scenarios(*, port: int, cookies: dict, pks: list[int], queue: int) -> list:
    from bench.run import Client, Scenario, csrf_token

    def with_rows(name, path):
        client = Client(port, cookies)
        status, _, content = client.request("GET", path)
        client.close()
        if status != 200:
            raise RuntimeError(f"GET {path} returned HTTP {status}")
        rows = data_url(content)
        return Scenario(
            name,
            "GET",
            f"{path} + /helpdesk/datatables_ticket_list/…",
            200,
            lambda i: (path, None),
            then=lambda i: (rows,),
            then_headers={"X-Requested-With": "XMLHttpRequest"},
        )

    client = Client(port, cookies)
    status, _, content = client.request("GET", "/helpdesk/tickets/submit/")
    client.close()
    if status != 200:
        raise RuntimeError(f"GET /helpdesk/tickets/submit/ returned HTTP {status}")
    csrf = csrf_token(client, content)

    def new_ticket(i):
        return "/helpdesk/tickets/submit/", {
            "queue": queue,
            "title": f"Interactive panel flickers (bench {i})",
            "body": "Interactive panel flickers. Staff room at break.",
            "priority": 3,
            "due_date": "",
            "submitter_email": "staff@example.org",
            "assigned_to": "",
            "csrfmiddlewaretoken": csrf,
        }

    every_status = "/helpdesk/tickets/?" + urlencode([("status", s) for s in range(1, 6)])
    return [
        with_rows("Ticket list", "/helpdesk/tickets/"),
        with_rows("Ticket list, every status", every_status),
        Scenario(
            "Ticket page",
            "GET",
            "/helpdesk/tickets/<id>/",
            200,
            lambda i: (f"/helpdesk/tickets/{pks[i % len(pks)]}/", None),
        ),
        with_rows("Search", f"/helpdesk/tickets/?q={SEARCH}"),
        Scenario("New ticket", "POST", "/helpdesk/tickets/submit/", 302, new_ticket),  # last: it adds tickets
    ]


def measure(comparison: Comparison, *, args, run_scenario, password: str) -> None:
    """Serve the helpdesk database with gunicorn, sign in and run the scenarios; gunicorn stops whatever
    happens."""
    from bench.run import free_port, login, stop, wait_until_up

    facts = comparison.peer_facts
    port = free_port(args.port + 1)
    log = DATA / "helpdesk-gunicorn.log"
    server = None
    try:
        with log.open("w") as out:
            server = subprocess.Popen(  # noqa: S603 - the helpdesk environment's gunicorn, fixed arguments
                [
                    str(python()),
                    "-m",
                    "gunicorn",
                    "bench.helpdesk_project.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=peer_environment(Path(facts["database"])),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(port, server, log, path="/helpdesk/login/")
        cookies = login(port, STAFF, password, path="/helpdesk/login/")
        riverside = next(q["id"] for q in facts["queues"] if q["slug"] == "riverside")
        comparison.peer = scenarios(port=port, cookies=cookies, pks=comparison.facts["incident_pks"], queue=riverside)
        comparison.load["peer"] = os.getloadavg()[0]
        for scenario in comparison.peer:
            print(f"  django-helpdesk {scenario.name}: {scenario.method} {scenario.path} …", end=" ", flush=True)
            run_scenario(
                scenario,
                port=port,
                cookies=cookies,
                requests=args.requests,
                concurrency=args.concurrency,
                warmup=args.warmup,
            )
            print(scenario.skipped or summary(scenario), flush=True)
    finally:
        stop(server)


def summary(scenario) -> str:
    errors = f", {len(scenario.errors)} errors" if scenario.errors else ""
    return (
        f"p50 {fmt(scenario.percentile(50))} ms, p95 {fmt(scenario.percentile(95))} ms, "
        f"{fmt(rate(scenario))} /s{errors}"
    )


# --- the report ---------------------------------------------------------------------------------
def rate(scenario) -> float | None:
    return (
        scenario.n / scenario.elapsed if scenario and scenario.elapsed and scenario.n and not scenario.skipped else None
    )


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report_lines(comparisons: list[Comparison], *, args) -> list[str]:
    from bench.run import SCENARIO_DEADLINE_S

    lines = [
        "## Against django-helpdesk",
        "",
        f"The same calls in django-helpdesk {VERSION} (PyPI), served the same way, measured in the same run "
        "one server at a time with the same client, concurrency and machine. The aim (issue 8): at least 5× its "
        "throughput on each page, at 20,000 and at 100,000 calls.",
        "",
        "| page | calls | SchoolDesk n | p50 ms | p95 ms | req/s | django-helpdesk n | p50 ms | p95 ms | req/s | "
        "throughput ratio | ≥ 5× |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    notes = []
    for comparison in comparisons:
        ours = {s.name: s for s in comparison.ours}
        peer = {s.name: s for s in comparison.peer}
        for page, our_name, peer_name in COMPARED:
            a, b = ours.get(our_name), peer.get(peer_name)
            ra, rb = rate(a), rate(b)
            ratio = ra / rb if ra and rb else None
            verdict = "–" if ratio is None else ("yes" if ratio >= 5 else "no")
            lines.append(
                f"| {page} | {comparison.size:,} | {count(a)} | {cell(a, 50)} | {cell(a, 95)} | {fmt(ra)} | "
                f"{count(b)} | {cell(b, 50)} | {cell(b, 95)} | {fmt(rb)} | {fmt(ratio)}{'×' if ratio else ''} | "
                f"{verdict} |"
            )
        if comparison.problem:
            notes.append(f"- At {comparison.size:,} calls the comparison did not complete: {comparison.problem}")
        for s in [*comparison.ours, *comparison.peer]:
            if s.skipped or s.errors:
                why = s.skipped or f"{len(s.errors)} unexpected responses, e.g. {s.errors[0]}"
                notes.append(f"- {comparison.size:,} calls, {s.name}: {why}")
    if notes:
        lines += ["", "Not run cleanly:", "", *notes]
    lines += [
        "",
        f"n: timed requests ({args.requests} asked for, at concurrency {args.concurrency} after {args.warmup} "
        f"warm-up requests; a phase stops after {SCENARIO_DEADLINE_S} s, so a slow page gets fewer); p50/p95 "
        "over them, in ms; req/s: n over the wall time of the timed phase; ratio: SchoolDesk's req/s over "
        "django-helpdesk's. What was requested:",
        "",
        "- Call list: SchoolDesk `GET /incidents/` (every call the SPOC may see, newest first, 25 a page, one "
        "server-rendered page). django-helpdesk `GET /helpdesk/tickets/` **and then** the request its page makes "
        "for the rows, `GET /helpdesk/datatables_ticket_list/<query in base64>?draw=1&start=0&length=25&"
        "search[value]=&search[regex]=false`, timed together as one page view (req/s there is page views/s). "
        'As first opened, django-helpdesk lists only open and reopened tickets; "every status" is its list '
        "filtered to all five statuses (`?status=1…5`), the same calls SchoolDesk's list shows.",
        "- Call page: SchoolDesk `GET /incidents/<pk>/` **and then** the request that page makes on load for the "
        "known errors that look like the call (`GET /problems/known-errors/suggest/?incident=<pk>`, htmx), timed "
        "together; django-helpdesk `GET /helpdesk/tickets/<id>/` (it makes no request of its own on load). The "
        "same 50 calls on both (the ids are kept), each with its timeline (follow-ups).",
        f"- Search: SchoolDesk `GET /incidents/?q={SEARCH}`; django-helpdesk `GET /helpdesk/tickets/?q={SEARCH}` "
        "and its rows request (its keyword search, over every status), timed together.",
        "- New call: SchoolDesk `POST /incidents/new/` (the report form, 302); django-helpdesk "
        "`POST /helpdesk/tickets/submit/` (its staff create form: queue, title, description, priority, submitter "
        "e-mail, CSRF; 302). Both send their mail elsewhere: SchoolDesk queues it for a worker that is not "
        "running, django-helpdesk renders it for Django's dummy e-mail backend.",
        "",
        "How django-helpdesk was set up: its own environment (`bench-data/helpdesk-venv`, the same Python, Django "
        "and gunicorn versions), the minimal project in `bench/helpdesk_project` (DEBUG off; helpdesk with the "
        "apps it requires; team mode off, since pinax-teams is an optional extra), its own migrations, the same "
        "SQLite settings as SchoolDesk (WAL, synchronous=NORMAL) and `ANALYZE` after loading, gunicorn with "
        f"{args.workers} sync workers on 127.0.0.1, signed in over HTTP as a staff user (`{STAFF}`, not a "
        "superuser). The calls were exported from SchoolDesk's bench database (`bench/helpdesk.py`) and loaded "
        "with bulk_create: one queue per school; summary → title; description, what was expected, what "
        "happened, what was checked and the device → description; status → open (every active status; waiting "
        "ones also on hold), resolved, closed (closed, cancelled), duplicate; P1–P5 → priority 1–5; logged, "
        "updated and resolve-by → created, modified, due; assignee and reporter's e-mail; every timeline row → "
        "a follow-up, with a ticket change where a field changed. The export is taken after SchoolDesk's pages at "
        'that size were measured, so django-helpdesk also holds the calls that SchoolDesk\'s "Log a call" scenario '
        "had just added; with `--reuse` each keeps the calls its earlier runs created.",
        "",
    ]
    for comparison in comparisons:
        f, p = comparison.facts, comparison.peer_facts
        if not f:
            continue
        seeded = f"seeded in {f['seconds']:.0f} s" if f["seeded"] else "reused"
        line = (
            f"- {comparison.size:,} calls: SchoolDesk {f['all_calls']:,} calls, {f['updates']:,} timeline rows "
            f"({f['db_mb']:.0f} MB; {seeded})"
        )
        if p:
            built = "reused" if p.get("reused") else f"exported and loaded in {p['build_seconds']:.0f} s"
            line += (
                f"; django-helpdesk {p['tickets']:,} tickets, {p['followups']:,} follow-ups, "
                f"{p['changes']:,} ticket changes in {len(p['queues'])} queues ({p['db_mb']:.0f} MB; {built})"
            )
        load = comparison.load
        if load:
            line += "; 1-minute load average as each started: " + ", ".join(
                f"{who} {value:.2f}"
                for who, value in (("SchoolDesk", load.get("ours")), ("django-helpdesk", load.get("peer")))
                if value is not None
            )
        lines.append(line + ".")
    return lines


def count(scenario) -> str:
    return str(scenario.n) if scenario and not scenario.skipped else "–"


def cell(scenario, p: int) -> str:
    return fmt(scenario.percentile(p)) if scenario and not scenario.skipped else "–"


if __name__ == "__main__":  # the helpdesk environment: `python -m bench.helpdesk import EXPORT`
    if len(sys.argv) != 3 or sys.argv[1] != "import":
        sys.exit("usage: python -m bench.helpdesk import EXPORT.jsonl (with the helpdesk environment's Python)")
    result = import_calls(Path(sys.argv[2]), os.environ["HELPDESK_BENCH_PASSWORD"])
    print(json.dumps(result))
