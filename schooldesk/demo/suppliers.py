"""Demo contracts for the demo desk (see schooldesk/demo/schools.py), dated from today so that the
monitoring page always has something to show: one contract needing a decision within 30 days (the
LA's traded support at Oakfield, with weekly visits), one in the 31–60 day band, an automatically
renewing MIS contract, and the borough-wide broadband contract shared by both schools with its cost split."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from schooldesk.suppliers.models import Contact, Contract
from schooldesk.suppliers.services import contract_save

HOURS = 60
SCHOOL_DAY = 510  # minutes, 08:00–16:30

CONTACTS = {
    "la_ict": [
        (
            "Schools ICT service desk",
            "First line",
            "schools.ict@northbridge.gov.uk",
            "01632 960100",
            1,
            "Log every call here first.",
        ),
        (
            "Nadia Rahman",
            "Team leader, schools ICT",
            "n.rahman@northbridge.gov.uk",
            "01632 960111",
            2,
            "When a call misses its target or needs a decision.",
        ),
        (
            "Gillian Parr",
            "Head of Schools ICT",
            "g.parr@northbridge.gov.uk",
            "01632 960101",
            3,
            "Contract and service complaints.",
        ),
    ],
    "broadband": [
        (
            "Network operations centre",
            "24-hour fault line",
            "noc@penninebroadband.co.uk",
            "01632 960200",
            1,
            "Total loss of service: phone, do not email.",
        ),
        (
            "Mark Ellison",
            "Account manager",
            "m.ellison@penninebroadband.co.uk",
            "01632 960210",
            2,
            "Renewals, upgrades and repeated faults.",
        ),
    ],
    "mis": [
        (
            "Arbor school support",
            "Support desk",
            "support@arbor-mis.co.uk",
            "01632 960300",
            1,
            "Raise a ticket from the Help menu inside the MIS.",
        ),
        ("Priti Desai", "Customer success manager", "p.desai@arbor-mis.co.uk", "", 2, "Escalations and renewals."),
    ],
    "reseller": [
        (
            "Returns and warranty",
            "RMA desk",
            "rma@classroomtechdirect.co.uk",
            "01632 960400",
            1,
            "Quote the serial number and the fault.",
        )
    ],
}


def _targets(*rows) -> dict:
    """(respond, fix) in minutes for P1..P5."""
    return {f"P{n}": {"respond": respond, "fix": fix} for n, (respond, fix) in enumerate(rows, 1)}


def suppliers_demo(demo, *, today: date | None = None) -> dict[str, Contract]:
    """Contacts for the demo suppliers and four contracts; returns the contracts by key."""
    today = today or timezone.localdate()
    s, schools, people = demo.suppliers, demo.schools, demo.people
    for kind, rows in CONTACTS.items():
        Contact.objects.bulk_create(
            [
                Contact(
                    supplier=s[kind],
                    name=name,
                    job_title=title,
                    email=email,
                    phone=phone,
                    escalation_level=level,
                    notes=notes,
                )
                for name, title, email, phone, level, notes in rows
            ]
        )
    oak, river = schools["oakfield"], schools["riverside"]
    support_end = today + timedelta(days=40)  # notice (one month) due in about ten days
    hardware_end = today + timedelta(days=75)  # notice due in about 45 days
    contracts = {}
    contracts["oak_support"] = contract_save(
        by=None,
        shares={oak: Decimal("100")},
        today=today,
        contract=Contract(
            supplier=s["la_ict"],
            name="Traded ICT support and weekly technician visit",
            supplier_reference="SLA-OAK-2025",
            category="la_services",
            services=["hardware", "network", "wifi", "email", "backup", "printing", "av"],
            scope="Includes the weekly visit and remote support. "
            "Excludes new installations, which are quoted separately.",
            starts_on=support_end + timedelta(days=1) - relativedelta(months=12),
            initial_term_months=12,
            renewal="agreement",
            renewal_term_months=12,
            notice_number=1,
            notice_unit="months",
            value=Decimal("4800.00"),
            billing_frequency="termly",
            support_opens_at=time(8),
            support_closes_at=time(17),
            support_days="0,1,2,3,4",
            targets=_targets(
                (60, 4 * HOURS),
                (2 * HOURS, SCHOOL_DAY),
                (4 * HOURS, 2 * SCHOOL_DAY),
                (SCHOOL_DAY, 5 * SCHOOL_DAY),
                (2 * SCHOOL_DAY, 20 * SCHOOL_DAY),
            ),
            visit_weekday=1,
            visit_starts_at=time(8, 30),
            visit_ends_at=time(12),
            visit_every_weeks=1,
            visit_term_time_only=True,
            visit_technician=people["oakfield"].visiting_technician,
        ),
    )
    contracts["broadband"] = contract_save(
        by=None,
        shares={oak: Decimal("40"), river: Decimal("60")},
        today=today,
        contract=Contract(
            supplier=s["broadband"],
            name="Borough schools broadband and web filtering",
            supplier_reference="PSB-NBC-0042",
            category="connectivity",
            services=["broadband", "filtering"],
            scope="1 Gbit/s fibre to each school, managed firewall and filtering (KCSIE), 24-hour fault line.",
            starts_on=(today - relativedelta(months=40)).replace(day=1),
            initial_term_months=36,
            renewal="automatic",
            renewal_term_months=12,
            notice_number=3,
            notice_unit="months",
            value=Decimal("32400.00"),
            billing_frequency="monthly",
            support_opens_at=time(7),
            support_closes_at=time(19),
            support_days="0,1,2,3,4,5,6",
            targets=_targets(
                (30, 4 * HOURS),
                (HOURS, 8 * HOURS),
                (4 * HOURS, 2 * SCHOOL_DAY),
                (SCHOOL_DAY, 5 * SCHOOL_DAY),
                (SCHOOL_DAY, 10 * SCHOOL_DAY),
            ),
        ),
    )
    contracts["river_mis"] = contract_save(
        by=None,
        shares={river: Decimal("100")},
        today=today,
        contract=Contract(
            supplier=s["mis"],
            name="Arbor MIS subscription and support",
            supplier_reference="ARB-143517",
            category="mis",
            services=["mis"],
            starts_on=today + timedelta(days=200) - relativedelta(years=2),
            initial_term_months=12,
            renewal="automatic",
            renewal_term_months=12,
            notice_number=90,
            notice_unit="days",
            value=Decimal("6200.00"),
            billing_frequency="annually",
            support_opens_at=time(8),
            support_closes_at=time(18),
            targets=_targets(
                (2 * HOURS, SCHOOL_DAY),
                (4 * HOURS, 2 * SCHOOL_DAY),
                (SCHOOL_DAY, 5 * SCHOOL_DAY),
                (2 * SCHOOL_DAY, 10 * SCHOOL_DAY),
                (5 * SCHOOL_DAY, 20 * SCHOOL_DAY),
            ),
        ),
    )
    technology_block = list(river.location_set.filter(building="Technology block"))
    contracts["river_panels"] = contract_save(
        by=None,
        shares={river: Decimal("100")},
        today=today,
        locations=technology_block,
        contract=Contract(
            supplier=s["reseller"],
            name="Interactive panel maintenance (technology block)",
            category="maintenance",
            services=["av"],
            starts_on=hardware_end + timedelta(days=1) - relativedelta(years=3),
            ends_on=hardware_end,
            renewal="agreement",
            renewal_term_months=12,
            notice_number=1,
            notice_unit="months",
            value=Decimal("2400.00"),
            billing_frequency="one_off",
            support_term_time_only=True,
            targets=_targets(
                (SCHOOL_DAY, 3 * SCHOOL_DAY),
                (SCHOOL_DAY, 3 * SCHOOL_DAY),
                (2 * SCHOOL_DAY, 5 * SCHOOL_DAY),
                (2 * SCHOOL_DAY, 10 * SCHOOL_DAY),
                (5 * SCHOOL_DAY, 20 * SCHOOL_DAY),
            ),
        ),
    )
    return contracts
