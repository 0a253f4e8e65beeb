"""`make bench`: how fast the pages a SPOC lives in answer on a school-size data set.

1. Builds a separate SQLite database in bench-data/ (git-ignored): the demo organisation, with
   20,000 calls in Riverside Academy and their timelines, made by `schooldesk.demo.schools`.
2. Serves it with gunicorn on 127.0.0.1:8765 (2 sync workers, DEBUG off).
3. Signs in as the SPOC over HTTP and times each scenario with a small standard-library load client
   (http.client and threads): a warm-up, then a bounded number of requests at a fixed concurrency: 2, one
   request for each gunicorn worker, for the budget; then again at 4, twice the workers, to show the pages
   under load (reported beside the budget, not judged by it; docs/decisions/0010).
4. Beside it, in the same run and one server at a time, django-helpdesk 2.6.1 with the same calls at 20,000
   and 100,000 calls (bench/helpdesk.py; SchoolDesk's pages are measured at 100,000 calls too).
5. Then the LA-size part on PostgreSQL (bench/la.py): 200 schools, 300,000 assets, 20,000 licences and
   1,000,000 calls; the asset list, licence compliance, a 10,000-row asset import, the service report and
   the dashboards. Reported as not run, with the reason, where no PostgreSQL server answers.
6. Writes docs/benchmarks.md and stops gunicorn, whatever happened.

Run `python -m bench.run --help` for the knobs. The exit status is 1 unless every scenario passed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench import devicesync, helpdesk, la, loans, register, sections

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
DATABASE = DATA / "bench.sqlite3"
SCHOOL = "riverside"  # the school that gets the big data set; its SPOC runs the scenarios
LOGIN_TIMEOUT_S = 30
SCENARIO_DEADLINE_S = 45  # stop a scenario's measured phase after this long, whatever n reached
# The floor (bench/floor): a bare Django view of the same content. Each product page -> its floor scenario.
FLOOR_LIST, FLOOR_PAGE = "Floor: call list (bare)", "Floor: call page (bare)"
FLOORS = {
    "Home": "Floor: home (bare)",
    "Triage queue": "Floor: triage queue (bare)",
    "Incident list": FLOOR_LIST,
    "Incident list, filtered": "Floor: call list, filtered (bare)",
    "Text search": "Floor: search (bare)",
    "Incident page": FLOOR_PAGE,
    "Asset list": "Floor: asset list (bare)",
    "Licence compliance": "Floor: licence compliance (bare)",
    "Diary": "Floor: diary (bare)",
}
#: each page of FLOORS: its product path (as shown) and the path the floor answers on ("<pk>": a call of the set)
PAGES = {
    "Home": "/",
    "Triage queue": "/incidents/triage/",
    "Incident list": "/incidents/",
    "Incident list, filtered": "/incidents/?status=open&priority=P3",
    "Text search": "/incidents/?q=projector",
    "Incident page": "/incidents/<pk>/",
    "Asset list": "/assets/",
    "Licence compliance": "/licences/compliance/",
    "Diary": "/diary/",
}
FLOOR_RATIO = 1.5  # issue 23: a page may take at most this many times its floor (p50)


@dataclass
class Scenario:
    name: str
    method: str
    path: str  # shown in the report
    expect: int
    make: object = None  # (i) -> (path, body dict or None)
    then: object = None  # (i) -> paths the page then asks for by itself (htmx, XHR), GET and timed with it
    then_headers: dict = field(default_factory=dict)  # sent with those requests (HX-Request, X-Requested-With)
    headers: dict = field(default_factory=dict)  # sent with the request itself (an htmx POST: HX-Request)
    n: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    skipped: str = ""

    def percentile(self, p: int) -> float | None:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else None
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def verdict(self, budget_ms: float) -> str:
        if self.skipped:
            return "not run"
        if self.errors:
            return "fail (errors)"
        p95 = self.percentile(95)
        return "pass" if p95 is not None and p95 < budget_ms else "fail"


# --- the data set ------------------------------------------------------------------------------
def database_for(incidents: int) -> Path:
    return DATABASE if incidents == 20000 else DATA / f"bench-{incidents}.sqlite3"


def bench_environment(database: Path = DATABASE) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SCHOOLDESK_PRODUCTION", "DJANGO_SECRET_KEY", "REDIS_URL", "SCHOOLDESK_MEDIA_ROOT"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.floor.settings",  # the product's settings plus the floor views
            "SCHOOLDESK_VAR_DIR": str(DATA),
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "HUEY_IMMEDIATE": "0",  # mail is queued for a worker (none runs), as in production
            "LOG_LEVEL": "WARNING",
            # "Log a call" posts hundreds of calls a minute as one person: the bench measures speed, not the rate limit
            # on creating (docs/decisions/0013), which would answer 429 after the tenth.
            "SCHOOLDESK_CREATE_RATE": "1000000/min",
            "SCHOOLDESK_API_RATE": "1000000/min",
        }
    )
    env.setdefault("AXES_ENABLED", "1")
    return env


def build_database(*, incidents: int, months: int, reuse: bool, database: Path = DATABASE) -> dict:
    """Create (or reuse) the bench database; returns facts about it for the report."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from schooldesk.demo.schools import demo_create
    from schooldesk.incidents.models import Incident, IncidentUpdate
    from schooldesk.schools.models import School

    connection.close()
    connection.settings_dict["NAME"] = str(database)  # one database per size
    started = time.perf_counter()
    seeded = False
    if not (reuse and database.exists()):
        connection.close()
        for path in [*DATA.glob(f"{database.name}*"), *DATA.glob("huey.sqlite3*")]:
            path.unlink()
        call_command("migrate", interactive=False, verbosity=0)
        demo_create(incidents={SCHOOL: incidents, "oakfield": 300}, months=months)
        from schooldesk.core.tasks import database_optimise

        database_optimise()  # as the nightly task would have done on a desk of this size
        seeded = True
    else:
        call_command("migrate", interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    school = School.objects.get(short_name__iexact=SCHOOL)
    calls = Incident.objects.filter(school=school)
    rng = random.Random(7)
    pks = list(calls.filter(is_restricted=False).values_list("pk", flat=True))  # the SPOC's 404 otherwise
    facts = {
        "seeded": seeded,
        "seconds": seconds,
        "school": school.name,
        "calls": calls.count(),
        "all_calls": Incident.objects.count(),
        "updates": IncidentUpdate.objects.count(),
        "active": calls.active().count(),
        "months": months,
        "location_pk": school.location_set.filter(is_archived=False).order_by("pk").first().pk,
        "incident_pks": rng.sample(pks, min(50, len(pks))),
        "db_mb": database.stat().st_size / 1e6,
        **loans.seed(school),  # a fresh batch of classes and spare devices for the hand-out page, even on --reuse
        **register.seed(school),  # licences and a diary (once): compliance and the diary have something to show
    }
    connection.close()
    return facts


# --- HTTP -------------------------------------------------------------------------------------
class Client:
    """One connection and its cookies (gunicorn's sync workers close the connection each time)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, method: str, path: str, body: dict | None = None, extra_headers: dict | None = None
    ) -> tuple[int, dict, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "schooldesk-bench", **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()  # a closed keep-alive connection: reconnect once
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, dict(response.headers), content

    def close(self):
        self.conn.close()


def csrf_token(client: Client, content: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    return match.group(1).decode() if match else client.cookies.get("csrftoken", "")


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there (a developer's runserver often does), else any free port."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def wait_until_up(port: int, server: subprocess.Popen, log: Path, path: str = "/accounts/login/") -> None:
    """Until our gunicorn answers (not whatever else might have taken the port meanwhile)."""
    deadline = time.monotonic() + LOGIN_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}:\n{tail(log)}")
        try:
            _, headers, _ = Client(port).request("GET", path)
        except OSError:
            time.sleep(0.3)
            continue
        if not headers.get("Server", "").startswith("gunicorn"):
            raise RuntimeError(f"something else answers on 127.0.0.1:{port} ({headers.get('Server')})")
        return
    raise RuntimeError(f"gunicorn did not answer within {LOGIN_TIMEOUT_S} s:\n{tail(log)}")


def login(port: int, username: str, password: str, path: str = "/accounts/login/") -> dict[str, str]:
    client = Client(port)
    status, _, content = client.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} returned HTTP {status}")
    status, headers, content = client.request(
        "POST",
        path,
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token(client, content),
        },
    )
    if status != 302 or "sessionid" not in client.cookies:
        hint = " (django-axes lockout? run with AXES_ENABLED=0)" if status in (403, 429) else ""
        raise RuntimeError(f"signing in as {username} returned HTTP {status}{hint}: {summary_of(content)}")
    client.close()
    return client.cookies


def summary_of(content: bytes) -> str:
    text = content.decode(errors="replace")
    match = re.search(r"<title>(.*?)</title>", text, re.S) or re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    found = match.group(1) if match else text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)).strip()[:160]


# --- load -------------------------------------------------------------------------------------
def run_scenario(scenario: Scenario, *, port: int, cookies: dict, requests: int, concurrency: int, warmup: int) -> None:
    probe = Client(port, cookies)
    path, body = scenario.make(0)
    method, expected = scenario.method, scenario.expect
    try:
        status, _, content = probe.request(method, path, body, scenario.headers)
        for extra in scenario.then(0) if scenario.then and status == expected else ():
            method, path, expected = "GET", extra, 200
            status, _, content = probe.request(method, path, None, scenario.then_headers)
            if status != expected:
                break
    except OSError as error:
        scenario.skipped = f"{method} {path}: {error}"
        return
    finally:
        probe.close()
    if status != expected:
        scenario.skipped = f"{method} {path} returned HTTP {status}, expected {expected}: {summary_of(content)}"
        return
    lock = threading.Lock()

    def worker(counter, measured: bool, limit: int, deadline: float):
        client = Client(port, cookies)
        try:
            while True:
                with lock:
                    i = next(counter)
                if i > limit or time.monotonic() > deadline:
                    return
                path, body = scenario.make(i)
                started = time.perf_counter()
                try:
                    status, _, _ = client.request(scenario.method, path, body, scenario.headers)
                    for extra in scenario.then(i) if scenario.then and status == scenario.expect else ():
                        extra_status, _, _ = client.request("GET", extra, None, scenario.then_headers)
                        if extra_status != 200:
                            status = f"{extra_status} from GET {extra}"
                            break
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                took = (time.perf_counter() - started) * 1000
                if measured:
                    with lock:
                        if status == scenario.expect:
                            scenario.latencies.append(took)
                        else:
                            scenario.errors.append(f"{scenario.method} {path}: {status}")
        finally:
            client.close()

    for measured, limit in ((False, warmup), (True, requests)):
        deadline, counter = time.monotonic() + SCENARIO_DEADLINE_S, itertools.count(1)
        threads = [
            threading.Thread(target=worker, args=(counter, measured, limit, deadline)) for _ in range(concurrency)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if measured:
            scenario.elapsed = time.perf_counter() - started
    scenario.n = len(scenario.latencies) + len(scenario.errors)


def scenarios(facts: dict, csrf: str) -> list[Scenario]:
    pks = facts["incident_pks"]

    def new_call(i):
        return "/incidents/new/", {
            "summary": f"Interactive panel flickers (bench {i})",
            "location": facts["location_pk"],
            "kind": "incident",
            "device": "Interactive panel",
            "reporter_availability": "Staff room at break",
            "csrfmiddlewaretoken": csrf,
        }

    def page_and_floor(name: str) -> list[Scenario]:
        """The page, then its floor straight after it (the same moment of the machine's load for both)."""
        shown = PAGES[name]

        def path(i: int, prefix: str = "") -> tuple[str, None]:
            return prefix + shown.replace("<pk>", str(pks[i % len(pks)])), None

        return [
            Scenario(name, "GET", shown, 200, path),
            Scenario(FLOORS[name], "GET", f"/floor{shown}", 200, lambda i: path(i, "/floor")),
        ]

    return [
        *page_and_floor("Home"),
        *page_and_floor("Triage queue"),
        *page_and_floor("Incident list"),
        *page_and_floor("Incident list, filtered"),
        *page_and_floor("Incident page"),
        Scenario(
            "Incident page and its suggestions",
            "GET",  # the page asks (htmx, on load) for known errors
            "/incidents/<pk>/ + /problems/known-errors/suggest/?incident=<pk>",
            200,
            lambda i: (f"/incidents/{pks[i % len(pks)]}/", None),
            then=lambda i: (f"/problems/known-errors/suggest/?incident={pks[i % len(pks)]}",),
            then_headers={"HX-Request": "true"},
        ),
        *page_and_floor("Text search"),
        *page_and_floor("Asset list"),
        *page_and_floor("Licence compliance"),
        *page_and_floor("Diary"),
        *loans.scenarios(facts, csrf, Scenario),  # the hand-out page and one scan (bench/loans.py)
        Scenario("Log a call", "POST", "/incidents/new/", 302, new_call),  # last: it adds calls
    ]


# --- report -----------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    import django

    try:
        version = subprocess.run(
            [sys.executable, "-m", "gunicorn", "--version"],  # noqa: S603 - our own venv
            capture_output=True,
            text=True,
            check=False,
        )
        gunicorn_version = re.search(r"\d+(\.\d+)+", version.stdout).group(0)
    except (OSError, AttributeError):
        gunicorn_version = "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": gunicorn_version,
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def write_report(
    path: Path,
    *,
    args,
    facts: dict | None,
    results: list[Scenario],
    problem: str,
    info: dict,
    load: tuple[tuple, tuple],
    wall: float,
    command: str,
    comparisons: list[helpdesk.Comparison] = (),
    la_results: la.LaResults | None = None,
    loaded: list[Scenario] = (),
    sync_figures: dict | None = None,
) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `bench/run.py` (`make bench`) on {datetime.now().astimezone():%d/%m/%Y at %H:%M %Z}. "
        "Speed is measured here, never by timed tests.",
        "",
    ]
    if problem:
        lines += [f"**The bench did not complete:** {problem}", ""]
    lines += [
        f"At concurrency {args.concurrency} (one request for each of the {args.workers} gunicorn workers), "
        f"judged against the budget:",
        "",
        *scenario_table(results, args.budget),
    ]
    if floors := floor_table(results):
        lines += [
            "",
            "Beside the floor: a bare Django view showing the same content (bench/floor: the same rows and "
            "figures through the same scoping, `.values()` and one small template of a template engine without the "
            "menu's context processors, sign-in, sessions and middleware as usual), timed straight after its page. "
            f"Aim (issue 23): within {FLOOR_RATIO:g}× of it.",
            "",
            *floors,
        ]
    if loaded:
        lines += [
            "",
            f"Under load: the same scenarios at concurrency {args.load_concurrency}, twice the workers, so "
            "each request also waits for the one ahead of it. Shown against the same figure, not judged by it "
            "(docs/decisions/0010):",
            "",
            *scenario_table(loaded, args.budget, judged=False),
        ]
        if floors := floor_table(loaded):
            lines += [
                "",
                f"Beside the floor at concurrency {args.load_concurrency}, judged by the same ratio (issue 23):",
                "",
                *floors,
            ]
    notes = [f"- {s.name}: {s.skipped}" for s in results if s.skipped]
    notes += [f"- {s.name}: {len(s.errors)} unexpected responses, e.g. {s.errors[0]}" for s in results if s.errors]
    if notes:
        lines += ["", "Scenarios that did not run cleanly:", "", *notes]
    if comparisons:
        lines += ["", *helpdesk.report_lines(comparisons, args=args)]
    if la_results:
        lines += ["", *la.report_lines(la_results)]
    if sync_figures:
        lines += ["", *devicesync.report_lines(sync_figures)]
    lines += ["", "## Data set", ""]
    if facts:
        lines += [
            f"- {facts['school']}: {facts['calls']:,} calls over the last {facts['months']} months "
            f"({facts['active']:,} still open), made by `schooldesk.demo.schools` (seed 2026); "
            f"{facts['all_calls']:,} calls and {facts['updates']:,} timeline rows in the database "
            f"({facts['db_mb']:.0f} MB SQLite file, WAL mode).",
            "- The other demo school (Oakfield Primary School, 300 calls), the organisation's suppliers and "
            "the demo logins; the scenarios run as `riverside.spoc`.",
            f"- In {facts['school']} also {facts.get('licences', 0):,} licences and {facts.get('diary_entries', 0):,} "
            "diary entries (`bench/register.py`: every licence type and compliance state; a busy desk's diary, about "
            "20 entries a month) and the spare Chromebooks of the hand-out page (`bench/loans.py`).",
            f"- Seeding (migrate and data): {seeding(facts)}.",
        ]
    else:
        lines.append("- Not built (see above).")
    lines += [
        "",
        "## How it was measured",
        "",
        f"- Server: gunicorn {info.get('gunicorn', '?')}, {args.workers} sync workers on "
        f"127.0.0.1:{args.port}, `DJANGO_DEBUG=0`, SQLite database in `bench-data/`.",
        f"- Client: `bench/run.py`, standard library only (http.client, threads), on the same machine; "
        f"after signing in over HTTP, per scenario {args.warmup} warm-up requests, then {args.requests} "
        f"timed requests at concurrency {args.concurrency}, then the same at concurrency "
        f"{args.load_concurrency or 'none (skipped)'}. A new call is a real POST of the report form "
        "(302 expected).",
        "- p50/p95: percentiles of the time from sending a request to reading the whole response; req/s: "
        "timed requests divided by the wall time of the timed phase.",
        "",
        "## Machine",
        "",
        f"- {info.get('nproc')} CPUs (`nproc`): {info.get('cpu')}",
        f"- {info.get('os')}",
        f"- Python {info.get('python')}, Django {info.get('django')}, SQLite {info.get('sqlite')}",
        f"- Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load[0])}; "
        f"after: {', '.join(f'{x:.2f}' for x in load[1])}. Client and server share the CPUs, so other "
        "work on the machine shows in the figures.",
        f"- Whole bench: {wall:.0f} s.",
        "",
        "## Command",
        "",
        "```",
        command,
        "```",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines)
    if path.exists():  # `make profile`'s parts stay as they were
        text = sections.keep(path.read_text(), text)
    path.write_text(text)


def floor_table(results: list[Scenario]) -> list[str]:
    """Each product page beside its bare floor: how many times as long it takes (p50, and requests/s)."""
    by_name = {s.name: s for s in results}
    lines = [
        f"| page | p50 ms | floor p50 ms | takes (p50) | req/s | floor req/s | within {FLOOR_RATIO:g}× |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for page, floor in FLOORS.items():
        ours, bare = by_name.get(page), by_name.get(floor)
        if not ours or not bare:
            continue
        ratio = floor_ratio(ours, bare)
        verdict = "not run" if ratio is None else ("yes" if ratio <= FLOOR_RATIO else "no")
        lines.append(
            f"| {page} | {fmt(ours.percentile(50))} | {fmt(bare.percentile(50))} | "
            f"{fmt(ratio, 2) + '×' if ratio else '–'} | {fmt(rate(ours))} | {fmt(rate(bare))} | {verdict} |"
        )
    return lines if len(lines) > 2 else []


def floors_within(results: list[Scenario]) -> bool:
    """Whether every page measured beside its floor took at most FLOOR_RATIO times as long (issue 23: at 2 and
    at 4 connections alike)."""
    by_name = {s.name: s for s in results}
    return all(
        (ratio := floor_ratio(by_name[page], by_name[floor])) is not None and ratio <= FLOOR_RATIO
        for page, floor in FLOORS.items()
        if page in by_name and floor in by_name
    )


def floor_ratio(ours: Scenario, bare: Scenario) -> float | None:
    if ours.skipped or bare.skipped or not ours.latencies or not bare.latencies:
        return None
    return ours.percentile(50) / bare.percentile(50)


def rate(s: Scenario) -> float | None:
    return s.n / s.elapsed if s.elapsed and s.n else None


def scenario_table(results: list[Scenario], budget: float, *, judged: bool = True) -> list[str]:
    lines = [
        f"| scenario | request | n | p50 ms | p95 ms | req/s | budget: p95 < {budget:g} ms | "
        f"{'result' if judged else 'within it?'} |",
        "|---|---|--:|--:|--:|--:|---|---|",
    ]
    for s in results:
        rps = s.n / s.elapsed if s.elapsed and s.n else None
        verdict = s.verdict(budget)
        if not judged:
            verdict = {"pass": "yes", "fail": "no"}.get(verdict, verdict)
        lines.append(
            f"| {s.name} | `{s.method} {s.path}` | {s.n} | {fmt(s.percentile(50))} | "
            f"{fmt(s.percentile(95))} | {fmt(rps)} | p95 < {budget:g} ms | {verdict} |"
        )
    return lines


def seeding(facts: dict) -> str:
    return f"{facts['seconds']:.0f} s" if facts["seeded"] else "reused the existing database"


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop(server: subprocess.Popen | None) -> None:
    """Stop gunicorn (the master and its workers: they share the process group we gave it)."""
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def sizes(text: str) -> list[int]:
    return [] if text.strip().lower() in ("", "none", "0") else [int(x) for x in text.split(",")]


def only_names(text: str) -> set[str]:
    """--only's names, split at the commas that are not in a scenario's own name ("Incident list, filtered"): at
    each place the longest run of pieces that is a known name, else one piece as typed."""
    known = {*FLOORS, *FLOORS.values(), "Incident page and its suggestions", "Log a call", *loans.NAMES}
    parts, names, i = [part.strip() for part in text.split(",")], set(), 0
    while i < len(parts):
        j = next((j for j in range(len(parts), i + 1, -1) if ", ".join(parts[i:j]) in known), i + 1)
        names.add(", ".join(parts[i:j]))
        i = j
    return names - {""}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20000, help="calls in the big school (20000)")
    parser.add_argument("--months", type=int, default=24, help="spread over this many months (24)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario (200)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="client threads for the budget and the comparison (2: one per gunicorn worker)",
    )
    parser.add_argument(
        "--load-concurrency", type=int, default=4, help="client threads of the second pass, under load (4; 0 skips it)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--port", type=int, default=8765, help="8765, or a free port if that one is taken")
    parser.add_argument("--budget", type=float, default=50.0, help="p95 budget in ms (50)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench databases in bench-data/ (each size's, django-helpdesk's) if they exist",
    )
    parser.add_argument(
        "--peer-sizes",
        type=sizes,
        default=sizes("20000,100000"),
        metavar="N,N",
        help="call counts at which django-helpdesk is measured beside SchoolDesk (20000,100000; 'none' to skip)",
    )
    parser.add_argument(
        "--la-database-url",
        default=os.environ.get("BENCH_LA_DATABASE_URL", la.DEFAULT_URL),
        help="PostgreSQL database of the LA-size part (created if missing; BENCH_LA_DATABASE_URL)",
    )
    parser.add_argument("--no-la", action="store_true", help="skip the LA-size part on PostgreSQL")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="docs/benchmarks.md; with --only, bench-data/benchmarks-only.md (the record stays whole)",
    )
    parser.add_argument(
        "--only",
        type=only_names,
        default=None,
        metavar="NAME,NAME",
        help="run only these scenarios (their names as in the report), e.g. while working on one page",
    )
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = DATA / "benchmarks-only.md" if args.only else ROOT / "docs" / "benchmarks.md"
    return args


def measure(
    facts: dict, results: list[Scenario], *, args, env: dict, log: Path, only=None, loaded: list[Scenario] | None = None
) -> None:
    """Serve one bench database with gunicorn, sign in as the SPOC and run the scenarios (those named in
    `only`, if given) into `results`, then, if `loaded` is given, once more at --load-concurrency into it;
    gunicorn is stopped whatever happens."""
    from schooldesk.demo.schools import DEMO_PASSWORD

    server = None
    try:
        with log.open("w") as out:
            server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(args.port, server, log)
        cookies = login(args.port, f"{SCHOOL}.spoc", DEMO_PASSWORD)
        passes = [(results, args.concurrency)]
        if loaded is not None and args.load_concurrency:
            passes.append((loaded, args.load_concurrency))
        for into, concurrency in passes:
            into += [s for s in scenarios(facts, cookies.get("csrftoken", "")) if only is None or s.name in only]
            for scenario in into:
                print(
                    f"{scenario.name} (concurrency {concurrency}): {scenario.method} {scenario.path} …",
                    end=" ",
                    flush=True,
                )
                run_scenario(
                    scenario,
                    port=args.port,
                    cookies=cookies,
                    requests=args.requests,
                    concurrency=concurrency,
                    warmup=args.warmup,
                )
                timing = f"p50 {fmt(scenario.percentile(50))} ms, p95 {fmt(scenario.percentile(95))} ms"
                errors = f", {len(scenario.errors)} errors" if scenario.errors else ""
                print(scenario.skipped or timing + errors, flush=True)
    finally:
        stop(server)


def compare(
    *, args, facts: dict, results: list[Scenario], load: float, info: dict, comparisons: list[helpdesk.Comparison]
) -> None:
    """django-helpdesk beside SchoolDesk at each of --peer-sizes (bench/helpdesk.py), one server at a time:
    SchoolDesk's pages at that size (already measured at --incidents), then the peer's."""
    import django

    from schooldesk.demo.schools import DEMO_PASSWORD

    print(f"django-helpdesk environment: {helpdesk.VENV.relative_to(ROOT)} …", end=" ", flush=True)
    print(helpdesk.environment(django_version=django.get_version(), gunicorn_version=info["gunicorn"]), flush=True)
    compared = {ours for _, ours, _ in helpdesk.COMPARED}
    for size in args.peer_sizes:
        comparison = helpdesk.Comparison(size=size, facts={})
        comparisons.append(comparison)
        try:
            if size == args.incidents:
                comparison.facts, comparison.ours, comparison.load["ours"] = facts, results, load
            else:
                print(f"Building the bench database ({size:,} calls in one school)…", flush=True)
                comparison.facts = build_database(
                    incidents=size, months=args.months, reuse=args.reuse, database=database_for(size)
                )
                print(f"  {comparison.facts['all_calls']:,} calls ({seeding(comparison.facts)})", flush=True)
                comparison.load["ours"] = os.getloadavg()[0]
                measure(
                    comparison.facts,
                    comparison.ours,
                    args=args,
                    env=bench_environment(database_for(size)),
                    log=DATA / f"gunicorn-{size}.log",
                    only=compared,
                )
            print(f"django-helpdesk with the same calls ({size:,} in one school)…", flush=True)
            comparison.peer_facts = helpdesk.build(
                size=size, password=DEMO_PASSWORD, reuse=args.reuse and not comparison.facts["seeded"]
            )
            helpdesk.measure(comparison, args=args, run_scenario=run_scenario, password=DEMO_PASSWORD)
        except Exception as error:  # noted for this size; the next size still runs
            comparison.problem = f"{type(error).__name__}: {error}"
            print(f"\n{comparison.problem}", file=sys.stderr)


def main(argv=None) -> int:
    args = parse_args(argv)
    command = " ".join([".venv/bin/python -m bench.run", *(sys.argv[1:] if argv is None else argv)])
    if os.environ.get("MAKELEVEL") and argv is None:
        command = f"make bench    # runs: {command}"
    started = time.perf_counter()
    DATA.mkdir(exist_ok=True)
    env = bench_environment(database_for(args.incidents))
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DJANGO_SETTINGS_MODULE",
                "SCHOOLDESK_VAR_DIR",
                "DATABASE_URL",
                "DJANGO_DEBUG",
                "DJANGO_ALLOWED_HOSTS",
                "HUEY_IMMEDIATE",
            )
        }
    )
    os.environ.pop("SCHOOLDESK_PRODUCTION", None)
    os.chdir(ROOT)
    load_before = os.getloadavg()
    facts, results, problem, info, comparisons, la_results, loaded = None, [], "", {}, [], None, []
    sync_figures = None

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        info = machine()
        print(f"Building the bench database ({args.incidents:,} calls in one school)…", flush=True)
        facts = build_database(
            incidents=args.incidents, months=args.months, reuse=args.reuse, database=database_for(args.incidents)
        )
        print(f"  {facts['all_calls']:,} calls, {facts['updates']:,} timeline rows ({seeding(facts)})", flush=True)
        wanted, args.port = args.port, free_port(args.port)
        if args.port != wanted:
            print(f"Port {wanted} is taken: serving on {args.port} instead.", flush=True)
        load = os.getloadavg()[0]
        measure(facts, results, args=args, env=env, log=DATA / "gunicorn.log", loaded=loaded, only=args.only)
        if args.peer_sizes and not args.only:  # --only: the scenarios named, nothing else
            compare(args=args, facts=facts, results=results, load=load, info=info, comparisons=comparisons)
        if not args.no_la and not args.only:
            la_results = la.run(args.la_database_url, reuse=args.reuse)
            print(
                la_results.problem
                or f"LA-size part: {len(la_results.failures)} over budget {la_results.failures or ''}",
                flush=True,
            )
        if not args.only:  # --only: the scenarios named, nothing else (as the README says)
            print("Device console sync: 10,000 Chromebooks against the local stand-in…", flush=True)
            sync_figures = devicesync.run()  # its own process and SQLite database (docs/decisions/0030)
            print(sync_figures.get("problem") or "\n".join(devicesync.report_lines(sync_figures)[2:]), flush=True)
    except KeyboardInterrupt:
        problem = "interrupted."
    except Exception as error:  # whatever it is, it goes into docs/benchmarks.md; gunicorn is stopped by measure()
        problem = f"{type(error).__name__}: {error}"
        print(f"\n{problem}", file=sys.stderr)
    write_report(
        args.output,
        args=args,
        facts=facts,
        results=results,
        problem=problem,
        info=info,
        load=(load_before, os.getloadavg()),
        wall=time.perf_counter() - started,
        command=command,
        comparisons=comparisons,
        la_results=la_results,
        loaded=loaded,
        sync_figures=sync_figures,
    )
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"Results written to {shown}")
    ok = not problem and results and all(s.verdict(args.budget) == "pass" for s in results)
    ok = ok and (la_results is None or la_results.passed)
    ok = ok and floors_within(results) and floors_within(loaded)
    ok = ok and (
        sync_figures is None
        or (
            not sync_figures.get("problem")
            and all(sync_figures[name]["seconds"] < devicesync.BUDGET_S for name in ("first", "second"))
        )
    )
    return 0 if ok and not any(c.problem for c in comparisons) else 1


if __name__ == "__main__":
    sys.exit(main())
