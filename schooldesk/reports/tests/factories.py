"""Data for report tests: terms around today, calls at a given moment with known outcomes, and a school with a
term of everything the service report counts (`build_world`)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.budgets.services import budget_set
from schooldesk.changes.services import change_complete, change_decide, change_submit
from schooldesk.changes.tests.factories import ChangeFactory, authorised_change
from schooldesk.core.calendar import LONDON
from schooldesk.diary.models import Payment
from schooldesk.diary.selectors import financial_year
from schooldesk.diary.services import payment_mark_paid, payment_save
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.licences.services import installation_add
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem
from schooldesk.problems.services import problem_resolve
from schooldesk.problems.tests.factories import ProblemFactory, known_error
from schooldesk.schools.models import Term
from schooldesk.suppliers.tests.factories import make_contract


def report_terms(school, today=None) -> dict[str, Term]:
    """This term (under way, with a half-term), the term before, and the same term a year earlier."""
    today = today or timezone.localdate()
    this_start = today - timedelta(days=20)
    year_ago = this_start - relativedelta(years=1)
    return {
        "this": Term.objects.create(
            school=school,
            name="This term",
            starts_on=this_start,
            ends_on=today + timedelta(days=40),
            half_term_starts_on=today + timedelta(days=10),
            half_term_ends_on=today + timedelta(days=14),
        ),
        "before": Term.objects.create(
            school=school, name="Last term", starts_on=today - timedelta(days=120), ends_on=today - timedelta(days=40)
        ),
        "last_year": Term.objects.create(
            school=school, name="This term last year", starts_on=year_ago, ends_on=year_ago + timedelta(days=60)
        ),
    }


def at_noon(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LONDON)


def call_at(
    cast,
    when: datetime,
    *,
    met: bool | None = True,
    level: str = "desk",
    satisfaction="",
    open_call: bool = False,
    create: dict | None = None,
    **fields,
) -> Incident:
    """A call logged at `when` (`create`: what the reporter gave), answered and, unless `open_call`, put right
    within target (`met`) or late; `fields` are set on it as the desk's work would have left them."""
    create = {"location": Location.objects.get(school=cast.school, name="Staff room"), **(create or {})}
    incident = IncidentFactory(school=cast.school, by=cast.reporter, now=when, **create)
    changes = {
        "logged_at": when,
        "response_due_at": when + timedelta(hours=1),
        "resolve_due_at": when + timedelta(hours=8),
        "support_level": level,
    }
    if met is not None:
        changes["responded_at"] = when + timedelta(minutes=20 if met else 90)
        if not open_call:
            changes.update(
                resolved_at=when + timedelta(hours=2 if met else 20),
                status="closed",
                satisfaction=satisfaction,
                closed_at=when + timedelta(days=1),
                satisfaction_asked_at=when + timedelta(hours=2 if met else 20),
                satisfaction_at=when + timedelta(days=1) if satisfaction else None,
            )
    changes.update(fields)
    Incident.objects.filter(pk=incident.pk).update(**changes)
    incident.refresh_from_db()
    return incident


@dataclass
class World:
    today: object
    terms: dict
    calls: dict
    fy: object


def payment(cast, amount, due_on, *, paid=False, category="hardware"):
    p = payment_save(
        by=cast.spoc,
        payment=Payment(
            school=cast.school,
            supplier=cast.supplier,
            category=category,
            description=f"Kit £{amount}",
            amount=Decimal(amount),
            vat=Decimal(amount) / 5,
            due_on=due_on,
        ),
    )
    if paid:
        payment_mark_paid(payment=p, by=cast.spoc, paid_on=due_on, reference="PO1")
    return p


def build_world(cast) -> World:
    today = timezone.localdate()
    terms = report_terms(cast.school, today)
    hall = Location.objects.get(school=cast.school, name="Hall")
    library = Location.objects.get(school=cast.school, name="Library")
    contract = make_contract(
        cast,
        starts_on=today - relativedelta(months=11),
        initial_term_months=12,
        notice_number=1,
        notice_unit="months",
        today=today,
        targets={"P1": {"respond": 60, "fix": 240}},
    )
    calls = {
        "quick": call_at(
            cast,
            at_noon(today - timedelta(days=10)),
            satisfaction="good",
            create={"location": hall, "device": "PROJ-1"},
        ),
        "late": call_at(
            cast,
            at_noon(today - timedelta(days=9)),
            met=False,
            level="first",
            satisfaction="poor",
            create={"location": hall, "device": " proj-1"},
        ),
        "major": call_at(
            cast,
            at_noon(today - timedelta(days=8)),
            level="second",
            satisfaction="ok",
            priority="P1",
            supplier=cast.supplier,
            supplier_reference="REF-9",
            create={"location": library, "kind": "request"},
            escalated_at=at_noon(today - timedelta(days=8)) + timedelta(minutes=10),
        ),
        "open": call_at(cast, at_noon(today - timedelta(days=7)), open_call=True, status="first_level"),
        "restricted": call_at(
            cast, at_noon(today - timedelta(days=6)), met=None, is_restricted=True, create={"device": "PROJ-1"}
        ),
        "before_1": call_at(cast, at_noon(today - timedelta(days=100))),
        "before_2": call_at(cast, at_noon(today - timedelta(days=99))),
        "last_year": call_at(cast, at_noon(terms["last_year"].starts_on + timedelta(days=5))),
    }
    # problems: one made a known error, one solved, one raised last term
    known_error(cast.school, title="Wi-Fi drops in the hall")
    solved = ProblemFactory(school=cast.school, title="Printer jams")
    problem_resolve(problem=solved, by=cast.spoc, version=solved.version, resolution="New rollers", resolve_calls=False)
    older = ProblemFactory(school=cast.school, title="Old problem")
    Problem.objects.filter(pk=older.pk).update(created_at=at_noon(today - timedelta(days=100)))
    # changes: one authorised and made, one rejected
    made = authorised_change(cast, title="New access points")
    change_complete(change=made, by=cast.spoc, version=made.version, outcome="successful", implemented_on=today)
    refused = ChangeFactory(school=cast.school, by=cast.spoc, title="Gold-plated cables")
    refused = change_submit(change=refused, by=cast.spoc, version=refused.version)
    change_decide(change=refused, by=cast.owner, version=refused.version, authorise=False, reason="No.")
    # licences: one short by a seat
    licence = LicenceFactory(school=cast.school, product="Paint Pro", licence_type="per_device", quantity=1)
    for n in range(2):
        installation_add(licence=licence, asset=AssetFactory(school=cast.school, tag=f"PC-{n}"), by=cast.spoc)
    # equipment: a warranty ending soon, a six-year-old laptop
    AssetFactory(school=cast.school, tag="NEW-1", warranty_ends_on=today + timedelta(days=30))
    AssetFactory(school=cast.school, tag="OLD-1", purchased_on=today - relativedelta(years=6))
    # spend: a £1,000 hardware budget, £1,300 committed (£600 paid)
    fy = financial_year(cast.school.financial_year_start_month, today)
    budget_set(school=cast.school, year=fy.starts_on.year, amounts={"hardware": Decimal("1000")}, by=cast.owner)
    payment(cast, "600", today - timedelta(days=5), paid=True)
    payment(cast, "700", today + timedelta(days=10))
    assert contract.pk
    return World(today=today, terms=terms, calls=calls, fy=fy)
