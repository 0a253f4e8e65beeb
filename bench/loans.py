"""Bench: the hand-out page (`/loans/scan/`, docs/decisions/0028) on the bench data set.

`seed(school, scans)` gives the SPOC's school classes of 30 pupils, none with a device yet, and as many spare
Chromebooks, in bulk (well under a second for 600): a fresh batch each time the bench database is built or reused,
so every timed scan really hands a device out, as on the day, and never meets "already on loan" or "everyone has
a device". `scenarios(facts, csrf)` times the page with a class chosen (GET) and one scan (the htmx POST the page
sends when a label is scanned: its hidden fields, the code, `HX-Request`), each against the usual p95 budget.
"""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

CLASS_SIZE = 30
SCANS = 600  # the probe, 20 warm-up and 200 timed requests, at concurrency 2 then 4, with room to spare
SCAN_PAGE, SCAN_ONE = "Hand-out page (scanning)", "Hand out one device (scan)"
NAMES = (SCAN_PAGE, SCAN_ONE)  # the scenarios' names, for --only


def seed(school, scans: int = SCANS) -> dict:
    """A new batch of classes and spare devices in `school`; facts for the scenarios: the classes, in order, and
    the devices' tags, one per pupil, so that scan k hands device k to the next pupil of class k // 30."""
    from schooldesk.accounts.models import Pupil
    from schooldesk.assets.choices import AssetStatus
    from schooldesk.assets.models import Asset, AssetType

    count = -(-scans // CLASS_SIZE)
    # a batch number never used before, whatever the sizes of the earlier batches (the count of classes only grows)
    batch = Pupil.objects.filter(school=school, form__startswith="BX").values("form").distinct().count() + 1
    classes = [f"BX{batch}-{n:02d}" for n in range(1, count + 1)]
    Pupil.objects.bulk_create(
        [
            Pupil(school=school, first_name=f"Pupil{n:02d}", last_name=f"Bench {form}", year_group="Year 7", form=form)
            for form in classes
            for n in range(1, CLASS_SIZE + 1)
        ],
        batch_size=500,
    )
    kind, _created = AssetType.objects.get_or_create(school=school, name="Chromebook")
    tags = [f"BXCB{batch}-{k:04d}" for k in range(len(classes) * CLASS_SIZE)]
    Asset.objects.bulk_create(
        [
            Asset(
                school=school, tag=tag, asset_type=kind, make="Acer", model="Chromebook 311", status=AssetStatus.SPARE
            )
            for tag in tags
        ],
        batch_size=500,
    )
    return {"scan_school_pk": school.pk, "scan_classes": classes, "scan_tags": tags}


def scan_request(facts: dict, k: int, csrf: str) -> tuple[str, dict]:
    """The k-th scan as the page posts it (loans/scan.html's #scan-form): to the next pupil of its class."""
    classes, tags = facts["scan_classes"], facts["scan_tags"]
    form = classes[min(k // CLASS_SIZE, len(classes) - 1)]
    return "/loans/scan/", {
        "csrfmiddlewaretoken": csrf,
        "school": facts["scan_school_pk"],
        "group": f"form:{form}",
        "mode": "out",
        "due_on": "",
        "condition_out": "",
        "code": tags[k % len(tags)],
        "pupil": "",
    }  # "Next device goes to": the next in the list


def page_path(facts: dict) -> str:
    """The page with a class chosen ("Start"), as its GET form sends it."""
    return "/loans/scan/?" + urlencode(
        {
            "school": facts["scan_school_pk"],
            "group": f"form:{facts['scan_classes'][0]}",
            "mode": "out",
            "due_on": "",
            "condition_out": "",
        }
    )


def scenarios(facts: dict, csrf: str, scenario_class) -> list:
    """The two scenarios; scans are numbered across warm-up, timed and load passes (the counter is the facts')."""
    if "scan_tags" not in facts:
        return []
    counter = facts.setdefault("scan_counter", itertools.count())
    return [
        scenario_class(SCAN_PAGE, "GET", "/loans/scan/?group=form:<class>", 200, lambda i: (page_path(facts), None)),
        scenario_class(
            SCAN_ONE,
            "POST",
            "/loans/scan/ (htmx, one label)",
            200,
            lambda i: scan_request(facts, next(counter), csrf),
            headers={"HX-Request": "true"},
        ),
    ]
