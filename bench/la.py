"""The LA-size part of `make bench`: the asset register, licence compliance and the asset import
(`bench.assets`), then the service report and the dashboards (`bench.reports`), on PostgreSQL.

Both run in a child process against a database of their own (`--la-database-url`, by default
`schooldesk_bench_la` on the local server). Without a PostgreSQL server the part is reported as not run,
with the reason, and the SQLite part of the bench still counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/schooldesk_bench_la"


@dataclass
class LaResults:
    url: str
    assets: dict | None = None
    reports: dict | None = None
    problem: str = ""
    seconds: float = 0.0
    server: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problem and not self.failures


def server_version(url: str) -> str:
    """The PostgreSQL server's version, through its `postgres` database (the bench's may not exist yet)."""
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=5,
    ) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def run(url: str, *, reuse: bool, requests: int = 200, report_requests: int = 20) -> LaResults:
    from bench import assets, reports

    results = LaResults(url=url)
    started = time.perf_counter()
    try:
        results.server = server_version(url)
    except Exception as error:  # no server here: said in the report, and the SQLite figures still stand
        results.problem = f"no PostgreSQL server at {urlparse(url).hostname}: {type(error).__name__}: {error}"
        return results
    try:
        print("LA-size data set on PostgreSQL: asset register, licences and the import …", flush=True)
        results.assets = assets.run(url, reuse=reuse, requests=requests)
        print("LA-size data set on PostgreSQL: the service report and the dashboards …", flush=True)
        results.reports = reports.run(url, reuse=True, requests=report_requests)
    except Exception as error:  # noted in the report; gunicorn and the SQLite figures are unaffected
        results.problem = f"{type(error).__name__}: {error}"
    results.seconds = time.perf_counter() - started
    for part in (results.assets, results.reports):
        results.failures += [r["scenario"] for r in (part or {}).get("results", []) if not r["pass"]]
    if results.assets and not results.assets["import"]["pass"]:
        results.failures.append("asset import")
    return results


def report_lines(la: LaResults) -> list[str]:
    lines = ["## LA size on PostgreSQL", ""]
    if la.problem and not (la.assets or la.reports):
        return [*lines, f"**Not run:** {la.problem}", ""]
    if la.problem:
        lines += [f"**Did not complete:** {la.problem}", ""]
    lines += ["| scenario | n | p50 ms | p95 ms | max ms | budget: p95 < | result |", "|---|--:|--:|--:|--:|--:|---|"]
    for part in (la.assets, la.reports):
        for r in (part or {}).get("results", []):
            lines.append(
                f"| {r['scenario']} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | "
                f"{r['budget_ms']:g} ms | "
                f"{'pass' if r['pass'] else 'fail'} |"
            )
    if la.assets and la.assets["import"].get("error"):
        lines += ["", f"Importing 10,000 assets did not complete: {la.assets['import']['error']}"]
    elif la.assets:
        i = la.assets["import"]
        lines += [
            "",
            f"Importing a spreadsheet of {i['rows']:,} assets ({i['kb']:,} KB CSV) into {i['school']}, as "
            f"its SPOC does it (upload, check with the preview, import), through the whole Django stack: upload "
            f"{i['upload_s']} s, check {i['check_s']} s, import {i['import_s']} s; **{i['total_s']} s** in all "
            f"against a budget of {i['budget_s']:g} s: {'pass' if i['pass'] else 'fail'}. The imported assets "
            "are deleted afterwards.",
        ]
    sizes = (la.assets or la.reports or {}).get("sizes", {})
    build = {**(la.assets or {}).get("build_seconds", {}), **(la.reports or {}).get("build_seconds", {})}
    built = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in build.items()) or "reused an earlier build"
    lines += [
        "",
        f"- Data set (`bench/assets.py`, topped up by `bench/reports.py`): one LA of {sizes.get('schools', 0):,} "
        f"schools, {sizes.get('assets', 0):,} assets, {sizes.get('licences', 0):,} licences with their "
        f"installations and allocations, {sizes.get('incidents', 0):,} calls over two years with their outcomes, "
        "each school's terms, problems, changes, contracts, payments and budgets; database "
        f"`{urlparse(la.url).path.lstrip('/')}` on PostgreSQL {la.server}. Build: {built}.",
        "- Measured in-process with Django's test client (the whole stack: middleware, sessions, scoping, "
        "queries, templates; no HTTP server), one request at a time after a few warm-up requests. A school's "
        "pages as its SPOC; the LA's pages as an LA-wide owner (`bench.la`).",
        f"- This part took {la.seconds:.0f} s.",
        "",
    ]
    return lines
