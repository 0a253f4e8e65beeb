"""Where logging a call spends its time: `python -m bench.logcall_profile [--incidents 3000] [--posts 200]`.

Builds (or reuses) a bench database of that size the way `make bench` does (bench/run.py), then, as the SPOC and
through Django's test client (no HTTP server, so only the application's own work is measured):

1. the report form's GET: its queries, listed;
2. one POST of the form as a browser sends it (with its one-time token): its queries, listed;
3. `--posts` more POSTs, first timed plainly (median and mean per POST), then under cProfile, with the time split
   into what a POST does (form, service, mail enqueue, webhooks, one-time token, messages, session, redirect).

The mail is queued for a worker that is not running (HUEY_IMMEDIATE=0), as in the bench and in production. The
calls it logs stay in the bench database (as `make bench`'s own "Log a call" scenario's do)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time

from bench.run import DATA, SCHOOL, bench_environment, build_database

# What a POST does, found in the profile by the function that does it: (label, file suffix, function name).
# Cumulative times: a row includes the rows below it that it calls (the service includes its SQL).
PARTS = [
    ("whole request (test client)", "django/test/client.py", "post"),
    ("middleware + view", "django/core/handlers/base.py", "_get_response"),
    ("form built (drop-downs)", "incidents/forms.py", "__init__"),
    ("form validation", "django/forms/forms.py", "full_clean"),
    ("rate limit (create_allowed)", "core/throttling.py", "create_allowed"),
    ("one-time token (already_sent)", "core/views.py", "already_sent"),
    ("service: incident_create", "incidents/services.py", "incident_create"),
    ("  priority_for", "incidents/services.py", "priority_for"),
    ("  sla_refresh (calendar)", "incidents/services.py", "sla_refresh"),
    ("  Incident.full_clean", "django/db/models/base.py", "full_clean"),
    ("  Model.save", "django/db/models/base.py", "save"),
    ("  timeline row", "incidents/services.py", "_timeline"),
    ("  webhooks (_emit)", "incidents/services.py", "_emit"),
    ("  approval check", "incidents/services.py", "_approval_if_needed"),
    ("after commit (on_commit callbacks)", "django/db/backends/base/base.py", "run_and_clear_commit_hooks"),
    ("  mail enqueue (incident_notify)", "huey/api.py", "enqueue"),
    ("audit (audit_record)", "core/audit.py", "audit_record"),
    ("messages.success", "django/contrib/messages/api.py", "add_message"),
    ("redirect", "django/shortcuts.py", "redirect"),
    ("session save", "django/contrib/sessions/middleware.py", "process_response"),
    ("all SQL (execute)", "django/db/backends/utils.py", "_execute"),
    ("template render", "django/template/base.py", "render"),
]


def setup(incidents: int) -> dict:
    database = DATA / f"bench-logcall-{incidents}.sqlite3"
    env = bench_environment(database)
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ.update(env)
    DATA.mkdir(exist_ok=True)
    return build_database(incidents=incidents, months=24, reuse=True, database=database) | {"database": database}


def form_token(content: bytes) -> str:
    found = re.search(rb'name="form_token" value="([^"]+)"', content)
    return found.group(1).decode() if found else ""


def show_queries(title: str, captured) -> None:
    print(f"\n{title}: {len(captured.captured_queries)} queries")
    for n, query in enumerate(captured.captured_queries, 1):
        print(f"  {n:2}. {query['sql'][:220]}")


def parts_of(profile: cProfile.Profile, posts: int) -> list[tuple[str, float, int]]:
    stats = pstats.Stats(profile).stats
    rows = []
    for label, suffix, name in PARTS:
        cumulative, calls = 0.0, 0
        for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in stats.items():
            if function == name and filename.replace(os.sep, "/").endswith(suffix):
                cumulative += ct
                calls += nc
        rows.append((label, cumulative * 1000 / posts, calls / posts))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=3000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--top", type=int, default=40, help="rows of the profile sorted by own time")
    parser.add_argument("--no-profile", action="store_true", help="only the queries and the plain timings")
    args = parser.parse_args(argv)
    facts = setup(args.incidents)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident

    setup_test_environment()
    settings.DEBUG = False
    print(f"{facts['calls']:,} calls in {facts['school']} ({facts['database']}); HUEY_IMMEDIATE=0")
    client = Client()
    client.force_login(User.objects.get(username=f"{SCHOOL}.spoc"))

    def body(i: int, token: str) -> dict:
        return {
            "summary": f"Interactive panel flickers (profile {i})",
            "location": facts["location_pk"],
            "kind": "incident",
            "device": "Interactive panel",
            "reporter_availability": "Staff room at break",
            **({"form_token": token} if token else {}),
        }

    def post(i: int) -> str:
        page = client.get("/incidents/new/")
        return client.post("/incidents/new/", body(i, form_token(page.content)))

    for i in range(5):  # warm up: imports, caches, the first connection's PRAGMAs
        post(-i)
    with CaptureQueriesContext(connection) as get_queries:
        page = client.get("/incidents/new/")
    assert page.status_code == 200, page.status_code
    show_queries("GET /incidents/new/ (the report form)", get_queries)
    token = form_token(page.content)
    before = Incident.objects.count()
    with CaptureQueriesContext(connection) as post_queries:
        response = client.post("/incidents/new/", body(0, token))
    assert response.status_code == 302, response.status_code
    assert Incident.objects.count() == before + 1
    show_queries(f"POST /incidents/new/ (with its one-time token: {bool(token)})", post_queries)

    tokens = [form_token(client.get("/incidents/new/").content) for _ in range(2 * args.posts)]
    plain = []
    for i in range(args.posts):
        started = time.perf_counter()
        response = client.post("/incidents/new/", body(i, tokens[i]))
        plain.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    print(
        f"\nPOST, no profiler, {args.posts} posts: median {statistics.median(plain):.2f} ms, "
        f"mean {statistics.mean(plain):.2f} ms, min {min(plain):.2f} ms"
    )
    gets = []
    for _ in range(args.posts // 2):
        started = time.perf_counter()
        client.get("/incidents/new/")
        gets.append((time.perf_counter() - started) * 1000)
    print(f"GET, no profiler, {len(gets)} gets: median {statistics.median(gets):.2f} ms")

    if args.no_profile:
        return 0
    profile = cProfile.Profile()
    for i in range(args.posts):
        profile.enable()
        client.post("/incidents/new/", body(i, tokens[args.posts + i]))
        profile.disable()
    print(f"\nPOST under cProfile, per POST (cumulative ms, calls), {args.posts} posts:")
    for label, ms, calls in parts_of(profile, args.posts):
        print(f"  {label:<40} {ms:8.2f} ms  {calls:6.1f}×")
    print(f"\nTop {args.top} by own time:")
    pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
