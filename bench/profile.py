"""`make profile`: where each page's time goes, on the bench's data set (issue 23).

On the database `make bench` builds (bench-data/, reused when there; built the same way when not), in one
process with Django's test client under the bench's settings (bench.floor.settings, DEBUG off), signed in as the
SPOC of the big school, each page is requested the same way the bench requests it:

1. a few warm-up requests, then --requests timed without a profiler, in turns with as many of its floor
   (bench/floor: page, floor, page…, so both meet the same moments of a shared machine's load): the median ms of
   each, their ratio in-process, and the page's queries per request;
2. --requests again under cProfile (the standard library's: deterministic, every call counted), whose figures
   are split into buckets that add up to the profiled time: SQL, the ORM (building queries; making objects of the
   rows), templates, context processors,
   middleware, forms, the view, and the rest (Django's handler, URL resolving, the test client);
   and our own functions (schooldesk.*) by cumulative time, the ten heaviest.

It prints the breakdown and writes it into docs/benchmarks.md as "Where the time goes", between two HTML comments
(bench/sections.py): `make bench` keeps that part and `make profile` replaces only it (with --label before, or
after, a part of that name: a profile before a change and one after it stand side by side). The raw profiles go to
bench-data/profile/<page>.prof (read them with `python -m pstats`). With --only, the breakdown goes to
bench-data/profile-only.md instead, and docs/benchmarks.md stays as it was.

How a function's own time finds its bucket: a function of a bucket's modules (the table BUCKETS) counts there;
any other function (the standard library, django.utils, our selectors, services and permissions…) counts where
its callers were, shared in proportion to the time each caller spent in it (cProfile records each caller's
share), so that a `str.join` in a template tag counts as template time and the same call in a view as the view's.
A template tag of ours counts as template time, with the selectors it calls, and a query it runs as SQL; a form's
code counts as forms, the widget templates it renders as templates. Under cProfile Python code slows down more
than the database does, so SQL's share is smaller there than in a real request: the ms per request without the
profiler are the figures to compare.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
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
    "ORM: queries": ("/django/db/",),  # building the SQL; making the rows' objects: ORM_OBJECTS below
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
    # the views (ours: views.py, views_*.py; Django's generic ones); our other modules (selectors, services,
    # permissions) belong to no bucket: they count where they were called from, a view, a tag, a middleware
    "view": ("/views.py", "/views_", "/views/", "/django/shortcuts.py"),
    OTHER: ("/django/core/handlers/", "/django/test/", "/django/urls/", "/django/http/"),
}
SHOWN = (
    "SQL",
    "ORM: queries",
    "ORM: objects",
    "templates",
    "context processors",
    "middleware",
    "forms",
    "view",
    OTHER,
)
#: the ORM's functions that turn rows into model instances (and prefetch), by file, and by name in the files that
#: also build queries; the rest of django.db is "ORM: queries" (QuerySet cloning, filters, the SQL compiler)
ORM_OBJECTS = ("/django/db/models/base.py", "/django/db/models/fields/related_descriptors.py")
ORM_OBJECT_FUNCTIONS = {
    "/django/db/models/query.py": {
        "__iter__",
        "_fetch_all",
        "from_db",
        "prefetch_related_objects",
        "prefetch_one_level",
        "get_prefetcher",
        "_prefetch_related_objects",
        "populate",
        "get_related_populators",
    },
    "/django/db/models/sql/compiler.py": {"results_iter", "apply_converters", "get_converters"},
}
OURS = "/schooldesk/"


def bucket_of(func: tuple[str, int, str]) -> str | None:
    """The bucket a function belongs to by where it is written, or None: it counts where its callers were."""
    filename, _line, name = func
    where = filename.replace("\\", "/") if filename != "~" else name
    for bucket, marks in BUCKETS.items():
        if any(mark in where for mark in marks):
            if bucket == "ORM: queries" and is_object_making(where, name):
                return "ORM: objects"
            return bucket
    return None


def is_object_making(where: str, name: str) -> bool:
    if any(where.endswith(path) for path in ORM_OBJECTS):
        return True
    return any(where.endswith(path) and name in names for path, names in ORM_OBJECT_FUNCTIONS.items())


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
        return re.sub(r" at 0x[0-9a-f]+", "", name)  # a function's address changes with every run
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


def timed(client, scenario, floor, n: int) -> dict:
    """The page's and its floor's median ms per request over n requests each, taken in turns (page, floor, page…)
    so that both meet the same moments of the machine's load; the page's queries per request; a problem, if any."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def once(which, i: int) -> float:
        started = time.perf_counter()
        response = request(client, which, i)
        took = (time.perf_counter() - started) * 1000
        if response.status_code != which.expect:
            raise LookupError(f"{which.method} {which.make(i)[0]} answered {response.status_code}")
        return took

    pages, floors = [], []
    try:
        for i in range(WARMUP):
            once(scenario, i)
            if floor:
                once(floor, i)
        for i in range(WARMUP, WARMUP + n):
            with connection.execute_wrapper(count):
                pages.append(once(scenario, i))
            if floor:
                floors.append(once(floor, i))
    except LookupError as problem:
        return {"problem": str(problem), "ms": 0.0, "floor_ms": None, "queries": 0.0}
    return {
        "problem": "",
        "ms": statistics.median(pages),
        "floor_ms": statistics.median(floors) if floors else None,
        "queries": queries / n,
    }


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
        row = {"name": scenario.name, "request": f"{scenario.method} {scenario.path}"}
        row.update(timed(client, scenario, floor, args.requests))
        if not row["problem"]:
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
        timing = f"{row['ms']:.1f} ms, floor {run.fmt(row['floor_ms'])} ms, {row['queries']:.0f} queries"
        print(row["problem"] or timing, flush=True)
    return facts, results


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- the report --------------------------------------------------------------------------------
def report(results: list[dict], *, args, facts: dict, command: str) -> str:
    """The "Where the time goes" section, markers included."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        sections.begin(args.label),
        f"## Where the time goes{f' ({args.label})' if args.label else ''}",
        "",
        f"Written by `bench/profile.py` (`make profile`) on {datetime.now().astimezone():%d/%m/%Y at %H:%M %Z}, "
        f"at {facts['calls']:,} calls in {facts['school']} ({facts['all_calls']:,} in all): each page requested "
        f"in one process with Django's test client as the bench requests it (the bench's settings, DEBUG off, "
        f"signed in as `{run.SCHOOL}.spoc`), {args.requests} times without a profiler after {WARMUP} warm-up "
        f"requests, in turns with its floor (page, floor, page…), then {args.requests} times under cProfile. "
        "Load average "
        f"(1, 5, 15 min) at the end: {load}; the machine's other work shows in the figures.",
        "",
        "ms: the median request without the profiler (no HTTP, no gunicorn: what the process itself spends); "
        "floor ms: its floor's median, taken in the same turns; × floor: the page's over the floor's. "
        "The buckets share the time under cProfile out (they add up to 100%; Python "
        "slows down more than SQLite under it, so SQL's share is the lower bound of the real one). SQL: the "
        "database driver and Django's backend (the cursor, the values' converters); "
        "ORM: queries: building the SQL (querysets, filters, the compiler); ORM: objects: making model instances "
        "of the rows (and prefetching); templates: Django's "
        "templates, Jinja2 and our template tags, the queries they run excepted; forms: django.forms, "
        "django-filter and our forms and filtersets, the widget templates excepted; middleware: the middleware, "
        "sessions and sign-in (django.contrib.auth, allauth, axes); view: the views and what they call that is "
        "in no other bucket (our selectors, services, permissions); other: Django's handler, URL resolving, "
        "requests and responses, the test client. How a function finds its bucket: bench/profile.py.",
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
        shares = " | ".join(share(row["buckets"][b] / total) for b in SHOWN)
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
    lines += ["", f"Command: `{command}`", sections.end(args.label)]
    return "\n".join(lines) + "\n"


def share(fraction: float) -> str:
    """A percentage: whole under 1% would read as nothing."""
    percent = fraction * 100
    if 0 < percent < 0.05:
        return "<0.1%"
    return f"{percent:.1f}%" if 0 < percent < 1 else f"{percent:.0f}%"


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
        type=run.only_names,
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
    parser.add_argument(
        "--label",
        default="",
        type=lambda text: re.sub(r"[^\w.-]+", "-", text.strip()),
        help="name the part (e.g. before, after): each label has a part of its own in the record, replaced only by "
        "a profile with the same label",
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
