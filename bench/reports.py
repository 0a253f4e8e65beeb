"""LA-size bench for the service report and the dashboards, on PostgreSQL.

    from bench.reports import run
    results = run("postgres://postgres@127.0.0.1:5432/schooldesk_bench_la")   # a dict, see measure()

or `python -m bench.reports --database-url postgres://… [--reuse] [--requests 20]`.

1. Builds (or, with --reuse, keeps) the LA-size data set of `bench.assets` (200 schools, 300,000 assets,
   20,000 licences, 1,000,000 calls over two years) in a database of its own, then tops it up once with what
   the reports read and `bench.assets` does not make: each school's terms, the calls' outcomes (answered,
   put right, by whom, satisfaction, priority, category, escalations), problems, changes, contracts,
   payments and budgets, and a head, an ICT owner and a technician for one school; and stores the calls in
   the order they were logged (CLUSTER), as two years of a real desk's inserts would have.
2. Times the pages in-process with Django's test client (the whole Django stack, no HTTP server): per
   scenario a few warm-up requests, then `requests` timed ones, one at a time. Budgets (p95): the service
   report for one school and one term 1 s, for the whole LA 3 s; a school's dashboards 200 ms, the LA's
   comparison of its 200 schools 1 s; the PDF of one school's report 5 s (WeasyPrint).

It runs in a child process with DATABASE_URL set, so it never touches the caller's Django set-up or database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_MS = {"report_school": 1000.0, "report_la": 3000.0, "dashboard": 200.0, "dashboard_la": 1000.0, "pdf": 5000.0}
CATEGORIES = 10


def run(database_url: str, *, reuse: bool = False, requests: int = 20) -> dict:
    """Build (or reuse) the LA-size data set in `database_url` and time the reports; returns the figures."""
    from bench.assets import run_child

    return run_child("bench.reports", database_url, ["--requests", str(requests)] + (["--reuse"] if reuse else []))


# --- the top-up -------------------------------------------------------------------------------------
def terms_for(today: date) -> list[tuple[str, date, date, date, date]]:
    """Last school year's and this school year's terms, with LA-style dates."""
    first = today.year if today.month >= 9 else today.year - 1
    out = []
    for y in (first - 1, first):
        out += [
            (f"Autumn {y}", date(y, 9, 1), date(y, 12, 19), date(y, 10, 27), date(y, 10, 31)),
            (f"Spring {y + 1}", date(y + 1, 1, 5), date(y + 1, 3, 27), date(y + 1, 2, 16), date(y + 1, 2, 20)),
            (f"Summer {y + 1}", date(y + 1, 4, 13), date(y + 1, 7, 22), date(y + 1, 5, 25), date(y + 1, 5, 29)),
        ]
    return out


def topped_up() -> bool:
    from bench.assets import MARKER
    from schooldesk.schools.models import Term

    return Term.objects.filter(school__organisation__name=MARKER).exists()


def cluster_calls() -> dict:
    """Store the calls in the order they were logged, as a desk that has logged them over two years does
    (bench.assets writes them school by school with random dates, which spreads every term over every page
    of the table). Once per data set: PostgreSQL remembers the index a table is clustered on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT i.indexrelid::regclass::text, i.indisclustered FROM pg_index i
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                          WHERE i.indrelid = 'incidents_incident'::regclass AND i.indnatts = 1
                          AND a.attname = 'logged_at'""")
        name, clustered = cursor.fetchone()
        if clustered:
            return {}
        started = time.perf_counter()
        cursor.execute(f'CLUSTER incidents_incident USING "{name}"')
        cursor.execute("ANALYZE incidents_incident")
    return {"calls stored in the order they were logged (CLUSTER)": time.perf_counter() - started}


def top_up(seed: int = 7) -> dict:
    """Everything the reports read that bench.assets does not make. Runs once per data set."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.assets import MARKER
    from schooldesk.accounts.models import Membership, User
    from schooldesk.budgets.models import Budget
    from schooldesk.changes.models import Approval, ChangeRequest
    from schooldesk.core.calendar import LONDON
    from schooldesk.demo.schools import historic_timestamps
    from schooldesk.diary.models import DiaryEntry, Payment
    from schooldesk.incidents.models import Category
    from schooldesk.problems.models import Problem
    from schooldesk.schools.models import Organisation, School, Term
    from schooldesk.suppliers.models import Contract, ContractShare, Supplier

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    la = Organisation.objects.get(name=MARKER)
    schools = list(School.objects.filter(organisation=la).order_by("pk"))
    supplier = Supplier.objects.filter(organisation=la).order_by("pk").first()
    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        Term.objects.bulk_create(
            [
                Term(school=s, name=n, starts_on=a, ends_on=b, half_term_starts_on=c, half_term_ends_on=d)
                for s in schools
                for n, a, b, c, d in terms_for(today)
            ]
        )
        Category.objects.bulk_create(
            [Category(school=s, name=f"Category {n}") for s in schools for n in range(CATEGORIES)]
        )
        middle = schools[len(schools) // 2]
        password = make_password("bench-password")
        people = {
            role: User.objects.create(
                username=f"bench.{role}", first_name="Bench", last_name=role.title(), password=password
            )
            for role in ("head", "owner", "tech")
        }
        Membership.objects.bulk_create(
            [
                Membership(user=people["head"], school=middle, role="viewer"),
                Membership(user=people["owner"], school=middle, role="owner"),
                Membership(user=people["tech"], school=middle, role="technician"),
            ]
        )
    timings["terms, categories, people"] = time.perf_counter() - started
    t = time.perf_counter()
    with connection.cursor() as cursor:  # the calls' outcomes, as a year of desk work would have left them
        cursor.execute(
            """
            UPDATE incidents_incident i SET
              priority = 'P' || (1 + i.id %% 5),
              responded_at = i.logged_at + (i.id %% 13) * interval '45 minutes',
              resolved_at = CASE WHEN i.status IN ('closed', 'resolved')
                                 THEN i.logged_at + (i.id %% 17) * interval '9 hours' END,
              closed_at = CASE WHEN i.status = 'closed'
                               THEN i.logged_at + (i.id %% 17) * interval '9 hours' + interval '2 days' END,
              support_level = (ARRAY['desk', 'first', 'first', 'second'])[1 + i.id %% 4],
              satisfaction = CASE WHEN i.status = 'closed' AND i.id %% 3 = 0
                                  THEN (ARRAY['good', 'good', 'ok', 'poor'])[1 + i.id %% 4] ELSE '' END,
              satisfaction_asked_at = CASE WHEN i.status = 'closed'
                                           THEN i.logged_at + (i.id %% 17) * interval '9 hours' END,
              supplier_id = CASE WHEN i.id %% 4 = 3 THEN %s END,
              escalated_at = CASE WHEN i.id %% 4 = 3 THEN i.logged_at + interval '2 hours' END,
              supplier_reference = CASE WHEN i.id %% 8 = 3 THEN 'R' || i.id ELSE '' END,
              device = CASE WHEN i.id %% 9 = 0 THEN 'Projector ' || (i.id %% 40) ELSE i.device END,
              is_restricted = (i.id %% 50 = 0),
              category_id = c.id
            FROM incidents_category c
            WHERE c.school_id = i.school_id AND c.name = 'Category ' || (i.id %% %s)
        """,
            [supplier.pk, CATEGORIES],
        )
        cursor.execute(
            """
            UPDATE incidents_incident SET assigned_to_id = %s, status = 'first_level'
            WHERE id IN (SELECT id FROM incidents_incident WHERE school_id = %s
                         AND status IN ('new', 'open', 'first_level') ORDER BY id LIMIT 80)
        """,
            [people["tech"].pk, middle.pk],
        )
    timings["call outcomes (1,000,000 rows)"] = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        statuses = ["open", "investigating", "known_error", "resolved", "closed"]
        problems = []
        for s in schools:
            for n in range(20):
                raised = now - timedelta(days=rng.randint(1, 700))
                status = statuses[n % 5]
                problems.append(
                    Problem(
                        school=s,
                        title=f"Problem {n}",
                        status=status,
                        created_at=raised,
                        updated_at=raised,
                        due_on=today + timedelta(days=rng.randint(-30, 60)),
                        known_error_at=raised + timedelta(days=3) if n % 5 >= 2 else None,
                        resolved_at=raised + timedelta(days=20) if n % 5 >= 3 else None,
                    )
                )
        changes = []
        for s in schools:
            for n in range(10):
                raised = now - timedelta(days=rng.randint(1, 700))
                done = n % 3 == 0
                changes.append(
                    ChangeRequest(
                        school=s,
                        title=f"Change {n}",
                        reason="Bench",
                        status="closed" if done else "authorised",
                        created_at=raised,
                        updated_at=raised,
                        submitted_at=raised,
                        decided_at=raised + timedelta(days=2),
                        outcome=("successful" if n % 6 else "failed") if done else "",
                        implemented_on=(raised + timedelta(days=10)).date() if done else None,
                        completed_at=raised + timedelta(days=10) if done else None,
                    )
                )
        with historic_timestamps(Problem, ChangeRequest, Approval):
            Problem.objects.bulk_create(problems, batch_size=5000)
            ChangeRequest.objects.bulk_create(changes, batch_size=5000)
            Approval.objects.bulk_create(
                [
                    Approval(
                        change=c,
                        decision="authorised",
                        reason="Bench",
                        created_at=c.decided_at,
                        updated_at=c.decided_at,
                    )
                    for c in changes
                ],
                batch_size=5000,
            )
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    organisation=la,
                    supplier=supplier,
                    name=f"Support for {s.short_name}",
                    status="active",
                    starts_on=today - timedelta(days=300 + n),
                    ends_on=today + timedelta(days=65 - n),
                    initial_term_months=None,
                    renewal="agreement",
                    notice_number=1,
                    notice_unit="months",
                    term_ends_on=today + timedelta(days=65 - n),
                    notice_by_on=today + timedelta(days=35 - n),
                    value=Decimal("4800.00"),
                    targets={"P1": {"respond": 60, "fix": 240}, "P2": {"respond": 120, "fix": 510}},
                )
                for n, s in enumerate(schools)
            ]
        )
        ContractShare.objects.bulk_create(
            [
                ContractShare(contract=c, school=s, percent=Decimal("100"))
                for c, s in zip(contracts, schools, strict=True)
            ]
        )
        Payment.objects.bulk_create(
            [
                Payment(
                    school=s,
                    supplier=supplier,
                    category=["support", "hardware", "software", "connectivity"][n % 4],
                    description=f"Bench payment {n}",
                    amount=Decimal(rng.randint(50, 3000)),
                    vat=Decimal("0"),
                    due_on=today - timedelta(days=720) + timedelta(days=18 * n),
                    paid_on=(today - timedelta(days=720) + timedelta(days=18 * n + 10)) if 18 * n + 10 < 720 else None,
                )
                for s in schools
                for n in range(45)
            ],
            batch_size=5000,
        )
        Budget.objects.bulk_create(
            [
                Budget(school=s, year=y, category=c, amount=Decimal(rng.randint(2000, 20000)))
                for s in schools
                for y in (today.year - 1, today.year)
                for c in ("support", "hardware", "software", "connectivity", "mis", "training")
            ],
            batch_size=5000,
        )
        day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
        DiaryEntry.objects.bulk_create(
            [
                DiaryEntry(
                    school=middle,
                    kind="visit",
                    title="Weekly technician visit",
                    person=people["tech"],
                    starts_at=datetime.combine(day + timedelta(weeks=w), dtime(9), tzinfo=LONDON),
                    ends_at=datetime.combine(day + timedelta(weeks=w), dtime(12), tzinfo=LONDON),
                )
                for w in range(6)
            ]
        )
    timings["problems, changes, contracts, payments, budgets"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t
    return timings


# --- timing -----------------------------------------------------------------------------------------
def measure(requests: int = 20, warmup: int = 2) -> list[dict]:
    from django.test import Client

    from bench.assets import MARKER
    from schooldesk.accounts.models import User
    from schooldesk.schools.models import School

    schools = list(School.objects.filter(organisation__name=MARKER).order_by("pk"))
    middle = schools[len(schools) // 2]
    spoc = User.objects.get(memberships__school=middle, memberships__role="spoc")
    users = {
        "spoc": spoc,
        "la": User.objects.get(username="bench.la"),
        "head": User.objects.get(username="bench.head"),
        "owner": User.objects.get(username="bench.owner"),
        "tech": User.objects.get(username="bench.tech"),
    }
    scenarios = [
        (
            "Service report, one school, the term under way (its SPOC)",
            "spoc",
            "/reports/service/",
            "report_school",
            requests,
        ),
        (
            "Service report, one school, last school year (its SPOC)",
            "spoc",
            "/reports/service/?period=" + school_year_key(),
            "report_school",
            requests,
        ),
        (
            "Service report, the whole LA (200 schools), the term under way",
            "la",
            "/reports/service/",
            "report_la",
            requests,
        ),
        ("Service report PDF, one school", "spoc", "/reports/service/?format=pdf", "pdf", max(3, requests // 4)),
        ("SPOC dashboard", "spoc", "/reports/dashboards/desk/", "dashboard", requests * 3),
        ("Technician dashboard", "tech", "/reports/dashboards/technician/", "dashboard", requests * 3),
        ("ICT owner dashboard", "owner", "/reports/dashboards/owner/", "dashboard", requests * 3),
        ("Head and governors dashboard", "head", "/reports/dashboards/governors/", "dashboard", requests * 3),
        ("LA dashboard: 200 schools compared", "la", "/reports/dashboards/schools/", "dashboard_la", requests),
    ]
    results = []
    for name, who, url, budget, n in scenarios:
        client = Client()
        client.force_login(users[who])
        for _ in range(warmup):
            client.get(url)
        latencies, errors = [], []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(url)
            took = (time.perf_counter() - started) * 1000
            if response.status_code == 200:
                latencies.append(took)
            else:
                errors.append(f"{url}: {response.status_code}")
        p = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [latencies[0]] * 99
        limit = SCENARIOS_MS[budget]
        results.append(
            {
                "scenario": name,
                "url": url,
                "n": len(latencies),
                "errors": errors[:3],
                "p50_ms": round(p[49], 1),
                "p95_ms": round(p[94], 1),
                "max_ms": round(max(latencies), 1),
                "budget_ms": limit,
                "pass": not errors and p[94] < limit,
            }
        )
    return results


def school_year_key() -> str:
    from django.utils import timezone

    today = timezone.localdate()
    first = (today.year if today.month >= 9 else today.year - 1) - 1
    return f"year:{first}-09-01:{first + 1}-08-31"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--reuse", action="store_true", help="keep an earlier build (and its top-up)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per report scenario (20)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON line")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("give a PostgreSQL --database-url (or DATABASE_URL)")
    os.environ.update({"DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    os.environ.setdefault("DJANGO_DEBUG", "0")
    from bench.assets import SIZES, build, ensure_database, prepare

    ensure_database(args.database_url)
    import django

    django.setup()
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else print
    started = time.perf_counter()
    sizes = dict(SIZES)
    reused = prepare(args.reuse, sizes)
    say("Reusing the LA-size data set." if reused else f"Building the LA-size data set {sizes} …")
    timings = {} if reused else build(sizes)
    if not topped_up():
        say("Adding terms, call outcomes, problems, changes, contracts, payments and budgets …")
        timings.update(top_up())
    timings.update(cluster_calls())
    for step, seconds in timings.items():
        say(f"  {step}: {seconds:.1f} s")
    results = measure(args.requests)
    for r in results:
        say(
            f"{r['scenario']}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms ({r['n']} requests) "
            f"{'pass' if r['pass'] else 'FAIL'} (p95 < {r['budget_ms']:g} ms)"
        )
    report = {
        "sizes": sizes,
        "reused": reused,
        "build_seconds": timings,
        "results": results,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "measured": "in-process, Django test client",
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "on": str(date.today()),
    }
    if args.json:
        print(json.dumps(report))
    return 0 if all(r["pass"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
