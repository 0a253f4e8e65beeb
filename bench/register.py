"""Bench: the licence register and the diary of the SPOC's school, so that licence compliance and the diary are
measured with something on them (the demo organisation has neither for Riverside).

`seed(school)` adds, once (a school that has licences or diary entries already is left alone, so `--reuse` adds
nothing): LICENCES licences of every type, with seats in use and owned spread so that every compliance state
occurs; and a diary of a busy desk, from a year ago to three months ahead: two technician visits, an installation
and a meeting each week, a renewal and a payment each month (about 20 entries a month). In bulk, well under a
second.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import timedelta

LICENCES = 300
PRODUCTS = (
    "Microsoft 365 A3",
    "Adobe Creative Cloud",
    "Times Tables Rock Stars",
    "Sophos Endpoint",
    "SIMS",
    "Purple Mash",
    "Smoothwall Filter",
    "Google Workspace for Education Plus",
    "Clicker 8",
    "Seesaw",
)


def seed(school) -> dict:
    """Licences and diary entries for `school`, unless it has some; facts for the report."""
    from django.utils import timezone

    from schooldesk.core.calendar import LONDON
    from schooldesk.diary.choices import DiaryKind
    from schooldesk.diary.models import DiaryEntry
    from schooldesk.licences.choices import LicenceType
    from schooldesk.licences.models import Licence

    rng = random.Random(23)
    today = timezone.localdate()
    if not Licence.objects.filter(school=school).exists():
        types = list(LicenceType.values)
        licences = []
        for n in range(LICENCES):
            kind = types[n % len(types)]
            owned = rng.choice((10, 30, 60, 120, 250))
            used = max(0, owned + rng.randint(-owned // 2, owned // 5))
            ends = today + timedelta(days=rng.randint(-60, 700))
            licences.append(
                Licence(
                    school=school,
                    product=f"{PRODUCTS[n % len(PRODUCTS)]} ({n + 1})",
                    publisher=PRODUCTS[n % len(PRODUCTS)].split()[0],
                    licence_type=kind,
                    quantity=None if kind == LicenceType.SITE else owned,
                    starts_on=ends - timedelta(days=365),
                    ends_on=ends,
                    renews_on=ends,
                    cost=owned * 4,
                    installed_count=used,
                    allocated_count=rng.randint(0, used),
                )
            )
        Licence.objects.bulk_create(licences, batch_size=500)
    if not DiaryEntry.objects.filter(school=school).exists():
        monday = today - timedelta(days=today.weekday())
        entries = []

        def entry(day: dt.date, hour: int, kind: str, title: str, all_day: bool = False) -> DiaryEntry:
            starts = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)
            return DiaryEntry(
                school=school,
                kind=kind,
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=8 if all_day else 2),
                is_all_day=all_day,
            )

        for week in range(-52, 14):
            start = monday + timedelta(weeks=week)
            entries += [
                entry(start + timedelta(days=1), 9, DiaryKind.VISIT, "Technician visit"),
                entry(start + timedelta(days=3), 13, DiaryKind.VISIT, "Technician visit"),
                entry(start + timedelta(days=2), 8, DiaryKind.INSTALLATION, "Panel installation", all_day=True),
                entry(start + timedelta(days=4), 15, DiaryKind.MEETING, "ICT steering group"),
            ]
            if week % 4 == 0:
                entries += [
                    entry(start, 10, DiaryKind.RENEWAL, "Licence renewal notice"),
                    entry(start + timedelta(days=4), 11, DiaryKind.PAYMENT_DUE, "Support contract payment"),
                ]
        DiaryEntry.objects.bulk_create(entries, batch_size=500)
    return {
        "licences": Licence.objects.filter(school=school).count(),
        "diary_entries": DiaryEntry.objects.filter(school=school).count(),
    }
