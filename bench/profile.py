"""`make profile`: where each page's time goes, on the bench's data set (issue 23).

On the database `make bench` builds (bench-data/, reused when there; built the same way when not), in one
process with Django's test client under the bench's settings (bench.floor.settings, DEBUG off), signed in as the
SPOC of the big school, each page is requested the same way the bench requests it:

1. a few warm-up requests, then --requests timed without a profiler (ms per request and queries per request),
   and as many of its floor (bench/floor), for the ratio in-process;
2. --requests again under cProfile (the standard library's: deterministic, every call counted), whose figures
   are split into buckets that add up to the profiled time: SQL, the ORM, templates, context processors,
   middleware, forms, the view and our code, and the rest (Django's handler, URL resolving, the test client);
   and our own functions (schooldesk.*) by cumulative time, the ten heaviest.

It prints the breakdown and writes it into docs/benchmarks.md as "Where the time goes", between two HTML comments
(bench/sections.py): `make bench` keeps that part and `make profile` replaces only it. The raw profiles go to
bench-data/profile/<page>.prof (read them with `python -m pstats`). With --only, the breakdown goes to
bench-data/profile-only.md instead, and docs/benchmarks.md stays as it was.

How a function's own time finds its bucket: a function of a bucket's modules (the table BUCKETS) counts there;
any other function (the standard library, django.utils, our selectors…) counts where its callers were, shared in
proportion to the time each caller spent in it (cProfile records each caller's share), so that a `str.join` in
a template tag counts as template time and the same call in a view as the view's. A template tag of ours counts as
template time, a query it runs as SQL; a form's code counts as forms, the widget templates it renders as
templates. Under cProfile Python code slows down more than the database does, so SQL's share is smaller there
than in a real request: the ms per request without the profiler are the figures to compare.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from bench import run, sections

ROOT = run.ROOT
WARMUP = 5
OTHER = "other"
#: bucket -> what its functions' file paths (or names, for built-ins) contain; the first bucket that matches wins
BUCKETS: dict[str, tuple[str, ...]] = {
    "SQL": (
        "/django/db/backends/",
        "of 'sqlite3.",
        "SQLiteCursorWrapper",
        "/psycopg/",
        "/psycopg2/",
        "/django_prometheus/db/",
    ),
    "ORM": ("/django/db/",),
    "context processors": ("context_processors.py",),
    "forms": ("/django/forms/", "/django_filters/", "/forms.py", "/forms_", "/filtersets.py"),
    "templates": (
        "/django/template/",
        "/django/templatetags/",
        "/templatetags/",
        "/jinja2/",
        "/markupsafe/",
        "/schooldesk/core/fragments",
        "/template_partials/",
    ),
    "middleware": (
        "middleware",  # every app's middleware.py and Django's django/middleware/
        "/django/utils/deprecation.py",  # MiddlewareMixin.__call__
        "/django/contrib/sessions/",
        "/django/contrib/auth/",
        "/django/contrib/messages/",
        "/whitenoise/",
        "/csp/",
        "/axes/",
        "/allauth/",
        "/schooldesk/accounts/mfa.py",
        "/schooldesk/core/audit.py",
    ),
    "view and our code": ("/django/views/", "/schooldesk/", "/bench/floor/views.py", "/django/shortcuts.py"),
    OTHER: ("/django/core/handlers/", "/django/test/", "/django/urls/", "/django/http/"),
}
SHOWN = ("SQL", "ORM", "templates", "context processors", "middleware", "forms", "view and our code", OTHER)
OURS = "/schooldesk/"


def bucket_of(func: tuple[str, int, str]) -> str | None:
    """The bucket a function belongs to by where it is written, or None: it counts where its callers were."""
    filename, _line, name = func
    where = filename.replace("\\", "/") if filename != "~" else name
    for bucket, marks in BUCKETS.items():
        if any(mark in where for mark in marks):
            return bucket
    return None


def breakdown(stats: pstats.Stats | dict, bucket_of=bucket_of) -> dict[str, float]:
    """Seconds of the profile's own time (every function's tottime, so the buckets add up to the whole) in each
    bucket: a function's own time goes to its bucket, or, for a function of no bucket, to its callers' buckets
    in proportion to the own time each caller's calls spent in it (and so on up the callers, in proportion to
    cumulative time; a function called by nothing, or only in a cycle, is "other")."""
    table = stats.stats if isinstance(stats, pstats.Stats) else stats
    shares: dict[tuple, dict[str, float]] = {}

    def context(func, visiting: frozenset) -> dict[str, float]:
        """Which buckets the time spent in `func` (with what it calls) belongs to, as fractions adding up to 1."""
        if (own := bucket_of(func)) is not None:
            return {own: 1.0}
        if func in shares:
            return shares[func]
        callers = table.get(func, (0, 0, 0, 0, {}))[4]
        weights = {c: v[3] for c, v in callers.items() if c not in visiting} if callers else {}
        total = sum(weights.values())
        if not total:
            weights = {c: v[1] for c, v in callers.items() if c not in visiting}  # no time recorded: by calls
            total = sum(weights.values())
        if not total:
            result = {OTHER: 1.0}
        else:
            result = defaultdict(float)
            for caller, weight in weights.items():
                for bucket, fraction in context(caller, visiting | {func}).items():
                    result[bucket] += fraction * weight / total
            result = dict(result)
        if not visiting & set(callers):  # a result cut short by a cycle is not kept for other paths
            shares[func] = result
        return result

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        seconds: dict[str, float] = dict.fromkeys(SHOWN, 0.0)
        for func, (_cc, _nc, tt, _ct, callers) in table.items():
            if (own := bucket_of(func)) is not None:
                seconds[own] = seconds.get(own, 0.0) + tt
                continue
            by_caller = {c: v[2] for c, v in callers.items()} if callers else {}
            rest = tt - sum(by_caller.values())  # own time not put down to any caller (a root's)
            for caller, own_time in by_caller.items():
                for bucket, fraction in context(caller, frozenset({func})).items():
                    seconds[bucket] = seconds.get(bucket, 0.0) + own_time * fraction
            seconds[OTHER] += rest
        return seconds
    finally:
        sys.setrecursionlimit(limit)


def ours(stats: pstats.Stats | dict, top: int = 10) -> list[tuple[str, float, float, int]]:
    """Our functions (schooldesk.*, not tests, not the middleware that wraps every request) with the most
    cumulative time: (name, cumulative seconds, own seconds, calls)."""
    table = stats.stats if isinstance(stats, pstats.Stats) else stats
    found = []
    for func, (_cc, nc, tt, ct, _callers) in table.items():
        path = func[0].replace("\\", "/")
        if OURS not in path or "/tests/" in path or bucket_of(func) == "middleware":
            continue
        found.append((name_of(func), ct, tt, nc))
    return sorted(found, key=lambda row: -row[1])[:top]


def heaviest(stats: pstats.Stats | dict, top: int = 8) -> list[tuple[str, float, float, int]]:
    """Any functions (Django's, the standard library's, ours) with the most own time: where the work itself is."""
    table = stats.stats if isinstance(stats, pstats.Stats) else stats
    rows = [(name_of(func), ct, tt, nc) for func, (_cc, nc, tt, ct, _callers) in table.items()]
    return sorted(rows, key=lambda row: -row[2])[:top]


def name_of(func: tuple[str, int, str]) -> str:
    """`package.module.function (line n)` for a function in a file, its own name for a built-in."""
    filename, line, name = func
    if filename == "~":
        return name
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        path = path.rsplit("/site-packages/", 1)[1]
    elif OURS in path:
        path = "schooldesk/" + path.rsplit(OURS, 1)[1]
    elif "/lib/python3" in path:  # the standard library
        path = path.rsplit("/lib/python3", 1)[1].split("/", 1)[-1]
    module = path.removesuffix(".py").replace("/", ".").lstrip(".")
    return f"{module}.{name} (line {line})"


# --- measuring ---------------------------------------------------------------------------------
def pages(facts: dict, only: set[str] | None):
    """The bench's own scenarios for the pages of run.FLOORS and for logging a call, each with its floor (or
    None), as bench/run.py requests them."""
    scenarios = {s.name: s for s in run.scenarios(facts, csrf="")}
    wanted = [*run.FLOORS, "Log a call"]
    for name in wanted:
        if only is None or name in only:
            yield scenarios[name], scenarios.get(run.FLOORS.get(name, ""))


def request(client, scenario, i: int):
    path, body = scenario.make(i)
    if scenario.method == "POST":
        return client.post(path, body or {}, **scenario.headers)
    return client.get(path, **scenario.headers)


def timed(client, scenario, n: int, start: int) -> tuple[float, float, str]:
    """ms per request and queries per request over n requests (after the warm-up), and a problem, if any."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    problem = ""
    for i in range(start, start + WARMUP):
        response = request(client, scenario, i)
        if response.status_code != scenario.expect:
            return 0.0, 0.0, f"{scenario.method} {scenario.make(i)[0]} answered {response.status_code}"
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for i in range(start + WARMUP, start + WARMUP + n):
            response = request(client, scenario, i)
            if response.status_code != scenario.expect:
                problem = f"{scenario.method} {scenario.make(i)[0]} answered {response.status_code}"
        took = time.perf_counter() - started
    return took * 1000 / n, queries / n, problem


def profiled(client, scenario, n: int, start: int) -> pstats.Stats:
    profile = cProfile.Profile()
    profile.enable()
    try:
        for i in range(start, start + n):
            request(client, scenario, i)
    finally:
        profile.disable()
    return pstats.Stats(profile)


def measure(args) -> tuple[dict, list[dict]]:
    """Build or reuse the bench database, sign in and profile each page: (facts, one dict per page)."""
    print(f"The bench database ({args.incidents:,} calls in one school)…", flush=True)
    facts = run.build_database(
        incidents=args.incidents, months=args.months, reuse=True, database=run.database_for(args.incidents)
    )
    print(f"  {facts['all_calls']:,} calls ({run.seeding(facts)})", flush=True)
    from django.test import Client  # Django is set up by now (build_database)

    from schooldesk.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=f"{run.SCHOOL}.spoc"))
    folder = run.DATA / "profile"
    folder.mkdir(exist_ok=True)
    results = []
    for scenario, floor in pages(facts, args.only):
        print(f"{scenario.name}: {scenario.method} {scenario.path} …", end=" ", flush=True)
        ms, queries, problem = timed(client, scenario, args.requests, 0)
        floor_ms = timed(client, floor, args.requests, 0)[0] if floor and not problem else None
        row = {"name": scenario.name, "request": f"{scenario.method} {scenario.path}", "ms": ms, "queries": queries}
        row.update(floor_ms=floor_ms, problem=problem)
        if not problem:
            stats = profiled(client, scenario, args.requests, args.requests + 2 * WARMUP)
            stats.dump_stats(folder / f"{slug(scenario.name)}.prof")
            seconds = breakdown(stats)
            row.update(
                profiled_ms=sum(seconds.values()) * 1000 / args.requests,
                buckets={k: v * 1000 / args.requests for k, v in seconds.items()},
                ours=[
                    (n, ct * 1000 / args.requests, tt * 1000 / args.requests, c / args.requests)
                    for n, ct, tt, c in ours(stats)
                ],
                heaviest=[
                    (n, ct * 1000 / args.requests, tt * 1000 / args.requests, c / args.requests)
                    for n, ct, tt, c in heaviest(stats)
                ],
            )
        results.append(row)
        print(problem or f"{ms:.1f} ms, floor {run.fmt(floor_ms)} ms, {queries:.0f} queries", flush=True)
    return facts, results


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- the report --------------------------------------------------------------------------------
def report(results: list[dict], *, args, facts: dict, command: str) -> str:
    """The "Where the time goes" section, markers included."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        sections.BEGIN,
        "## Where the time goes",
        "",
        f"Written by `bench/profile.py` (`make profile`) on {datetime.now().astimezone():%d/%m/%Y at %H:%M %Z}, "
        f"at {facts['calls']:,} calls in {facts['school']} ({facts['all_calls']:,} in all): each page requested "
        f"in one process with Django's test client as the bench requests it (the bench's settings, DEBUG off, "
        f"signed in as `{run.SCHOOL}.spoc`), {args.requests} times without a profiler after {WARMUP} warm-up "
        f"requests, then its floor as often, then the page {args.requests} times under cProfile. Load average "
        f"(1, 5, 15 min) at the end: {load}; the machine's other work shows in the figures.",
        "",
        "ms: per request without the profiler (no HTTP, no gunicorn: what the process itself spends); × floor: "
        "its floor's ms beside it. The buckets share the time under cProfile out (they add up to 100%; Python "
        "slows down more than SQLite under it, so SQL's share is the lower bound of the real one). SQL: the "
        "database driver and Django's backend (the cursor, the values' converters); "
        "ORM: building the queries and the rows; templates: Django's "
        "templates, Jinja2 and our template tags, the queries they run excepted; forms: django.forms, "
        "django-filter and our forms and filtersets, the widget templates excepted; middleware: the middleware, "
        "sessions and sign-in (django.contrib.auth, allauth, axes); view and our code: the "
        "views, selectors, services and what they call; other: Django's handler, URL resolving, requests and "
        "responses, the test client. How a function finds its bucket: bench/profile.py.",
        "",
        "| page | request | ms | floor ms | × floor | queries | " + " | ".join(SHOWN) + " |",
        "|---|---|--:|--:|--:|--:|" + "--:|" * len(SHOWN),
    ]
    for row in results:
        if row["problem"]:
            lines.append(f"| {row['name']} | `{row['request']}` | not run: {row['problem']} |")
            continue
        total = sum(row["buckets"].values()) or 1.0
        ratio = row["ms"] / row["floor_ms"] if row["floor_ms"] else None
        shares = " | ".join(f"{row['buckets'][b] * 100 / total:.0f}%" for b in SHOWN)
        lines.append(
            f"| {row['name']} | `{row['request']}` | {row['ms']:.1f} | {run.fmt(row['floor_ms'])} | "
            f"{run.fmt(ratio, 2) + '×' if ratio else '–'} | {row['queries']:.0f} | {shares} |"
        )
    lines += [
        "",
        "On each page, our ten functions with the most cumulative time (the middleware that wraps every request "
        "left out: its share is above), then the functions of any package with the most own time; ms per request "
        "under cProfile (cumulative, own), calls per request:",
    ]
    for row in results:
        if row["problem"]:
            continue
        lines += [
            "",
            f"<details><summary>{row['name']} (<code>{row['request']}</code>): {row['profiled_ms']:.1f} ms a "
            "request under cProfile</summary>",
            "",
            "| ours, by cumulative time | cumulative ms | own ms | calls |",
            "|---|--:|--:|--:|",
            *(f"| `{name}` | {ct:.1f} | {tt:.1f} | {calls:g} |" for name, ct, tt, calls in row["ours"]),
            "",
            "| anyone's, by own time | cumulative ms | own ms | calls |",
            "|---|--:|--:|--:|",
            *(f"| `{name}` | {ct:.1f} | {tt:.1f} | {calls:g} |" for name, ct, tt, calls in row["heaviest"]),
            "",
            "</details>",
        ]
    lines += ["", f"Command: `{command}`", sections.END]
    return "\n".join(lines) + "\n"


def write(path: Path, section: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(sections.replace(old, section))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20000, help="calls in the big school (20000)")
    parser.add_argument("--months", type=int, default=24, help="spread over this many months, if built (24)")
    parser.add_argument("--requests", type=int, default=50, help="requests per page, each way (50)")
    parser.add_argument(
        "--only",
        type=lambda text: {name.strip() for name in text.split(",") if name.strip()},
        default=None,
        metavar="NAME,NAME",
        help=f"only these pages (their names in the report: {', '.join([*run.FLOORS, 'Log a call'])})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="docs/benchmarks.md; with --only, bench-data/profile-only.md (the record stays whole)",
    )
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = run.DATA / "profile-only.md" if args.only else ROOT / "docs" / "benchmarks.md"
    unknown = (args.only or set()) - {*run.FLOORS, "Log a call"}
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    command = " ".join([".venv/bin/python -m bench.profile", *(sys.argv[1:] if argv is None else argv)])
    if os.environ.get("MAKELEVEL") and argv is None:
        command = f"make profile    # runs: {command}"
    run.DATA.mkdir(exist_ok=True)
    env = run.bench_environment(run.database_for(args.incidents))
    for name in ("DJANGO_SETTINGS_MODULE", "SCHOOLDESK_VAR_DIR", "DATABASE_URL", "DJANGO_DEBUG", "HUEY_IMMEDIATE"):
        os.environ[name] = env[name]
    for name in ("SCHOOLDESK_CREATE_RATE", "SCHOOLDESK_API_RATE", "LOG_LEVEL", "AXES_ENABLED"):
        os.environ.setdefault(name, env[name])
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ.pop("SCHOOLDESK_PRODUCTION", None)
    os.chdir(ROOT)
    facts, results = measure(args)
    section = report(results, args=args, facts=facts, command=command)
    print("\n" + section)
    write(args.output, section)
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"Written to {shown}; the profiles to {(run.DATA / 'profile').relative_to(ROOT)}/")
    return 1 if any(row["problem"] for row in results) else 0


if __name__ == "__main__":
    sys.exit(main())
