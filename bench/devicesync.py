"""Bench: a device-console sync of 10,000 Chromebooks against the local stand-in (docs/decisions/0030).

    from bench.devicesync import run
    figures = run()            # a dict, see main()

or `python -m bench.devicesync [--devices 10000]`. In a process of its own, on a fresh SQLite database in
bench-data/ (never the caller's): one school, the stand-in Google console on loopback (real HTTP, 200 devices a
page, as chromeosdevices.list gives), then

1. the first sync: every device added to the register (assets, history lines, console links, the report);
2. a second sync, a night later: every device seen again since (its link updated), 1% changed in the console and
   one removed: everything matched, the changes written, the removed device marked gone.

Each is timed from the first request to the report kept, with the number of queries the sync made (a sync must
not query per device: the register is loaded in bulk and written in bulk).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
DATABASE = DATA / "devicesync.sqlite3"
BUDGET_S = 60.0


def run(devices: int = 10_000) -> dict:
    """The figures, from a child process (its own settings and database); {"problem": …} if it failed."""
    DATA.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "SCHOOLDESK_VAR_DIR": str(DATA),
        "DJANGO_DEBUG": "0",
        "HUEY_IMMEDIATE": "1",
        "LOG_LEVEL": "WARNING",
        "SCHOOLDESK_ALLOW_PRIVATE_HOSTS": "1",
        "SCHOOLDESK_DEVICESYNC_PORTS": "*",
    }
    for name in ("SCHOOLDESK_PRODUCTION", "REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bench.devicesync", "--child", "--devices", str(devices)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        return {"problem": f"bench.devicesync failed ({done.returncode}): {done.stderr[-1500:]}"}
    return json.loads(lines[-1])


def report_lines(figures: dict) -> list[str]:
    lines = ["## Device console sync", ""]
    if figures.get("problem"):
        return [*lines, f"**Did not complete:** {figures['problem']}", ""]
    first, second = figures["first"], figures["second"]
    return [
        *lines,
        f"A Google Workspace sync of {figures['devices']:,} Chromebooks into one school against the local stand-in "
        f"(`bench/devicesync.py`; real HTTP on loopback, 200 devices a page, the service account's token by "
        f"signed JWT), in-process on SQLite, budget {BUDGET_S:g} s each:",
        "",
        "| sync | pages | added | changed | gone | queries | seconds | result |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
        *(
            f"| {name} | {r['pages']} | {r['added']:,} | {r['changed']:,} | {r['gone']} | {r['queries']:,} | "
            f"{r['seconds']} | {'pass' if r['seconds'] < BUDGET_S else 'fail'} |"
            for name, r in (("first (all new)", first), ("a night later (1% changed, one gone)", second))
        ),
        "",
    ]


def child(devices: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schooldesk.devicesync.models import ConsoleConnection, SyncRun
    from schooldesk.devicesync.sync import sync_run
    from schooldesk.devicesync.tests.standin import Standin, google_item, google_key
    from schooldesk.schools.models import Organisation, School

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench Trust (device sync)", kind="trust")
    school = School.objects.create(
        organisation=organisation, name="Bench Academy", phase="secondary", governance="academy"
    )
    figures = {"devices": devices}
    with Standin(page_size=200) as console:
        key, public = google_key()
        console.google_public_key = public
        console.google = [google_item(i) for i in range(devices)]
        link = ConsoleConnection.objects.create(
            school=school,
            name="Chromebooks",
            kind="google",
            base_url=console.url,
            token_url=f"{console.url}/token",
            credentials=key,
            admin_email="admin@bench.example",
        )
        for name in ("first", "second"):
            if name == "second":
                for item in console.google:  # a night later: every device has checked in since
                    item["lastSync"] = "2026-12-02T08:15:00.000Z"
                for item in console.google[::100]:
                    item["model"] = "HP Chromebook 14 G7"
                console.google.pop()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                run = sync_run(SyncRun.objects.create(connection=link))
            seconds = time.perf_counter() - started
            if run.status != "done":
                raise RuntimeError(run.error)
            figures[name] = {
                "pages": run.pages,
                "added": run.added,
                "changed": run.changed,
                "gone": run.gone,
                "queries": len(queries),
                "seconds": round(seconds, 1),
            }
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.devices)))
        return 0
    figures = run(args.devices)
    print("\n".join(report_lines(figures)))
    return 1 if figures.get("problem") else 0


if __name__ == "__main__":
    sys.exit(main())
