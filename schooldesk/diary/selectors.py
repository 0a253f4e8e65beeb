"""Reads for the diary, visit sheets, payments by financial year and the calendar feed."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON
from schooldesk.diary.choices import DIARY_DESK_ROLES, FEED_DAYS_AHEAD, FEED_DAYS_BACK, PAYMENT_ROLES, DiaryKind
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.services import local_midnight
from schooldesk.incidents.models import Incident
from schooldesk.schools.models import School
from schooldesk.suppliers.choices import SpendCategory
from schooldesk.suppliers.models import Contract

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User

ENTRY_RELATED = ("school", "location", "person", "contract__supplier", "incident")
FEED_LIMIT = 5000


def entry_list(*, user: User) -> QuerySet[DiaryEntry]:
    return DiaryEntry.objects.visible_to(user).select_related(*ENTRY_RELATED)


def agenda_list(*, user: User) -> QuerySet[DiaryEntry]:
    """The agenda: the entries from today on."""
    return entry_list(user=user).filter(starts_at__gte=local_midnight(timezone.localdate()))


def entry_get(*, user: User, pk: int) -> DiaryEntry:
    return entry_list(user=user).select_related("payment__supplier").prefetch_related("payments__supplier").get(pk=pk)


def entries_between(queryset, first: date, last: date) -> dict[date, list[DiaryEntry]]:
    """Entries starting on each day from `first` to `last` (London dates), in one query."""
    days: dict[date, list[DiaryEntry]] = {}
    for entry in queryset.filter(
        starts_at__gte=local_midnight(first), starts_at__lt=local_midnight(last + timedelta(days=1))
    ):
        days.setdefault(entry.starts_at.astimezone(LONDON).date(), []).append(entry)
    return days


def month_weeks(year: int, month: int) -> list[list[date]]:
    return month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def visit_sheet(*, user: User, entry: DiaryEntry) -> dict:
    """The calls gathered for the next visit at the entry's school, by location, and those worked at it."""
    related = ("location", "reported_by", "category")
    gathered = list(
        Incident.objects.visible_to(user)
        .active()
        .filter(school_id=entry.school_id, for_next_visit=True)
        .select_related(*related)
        .order_by("location__building", "location__name", "priority", "logged_at")
    )
    worked = list(entry.calls_worked.visible_to(user).select_related(*related).order_by("location__name", "pk"))
    worked_ids = {i.pk for i in worked}
    for incident in gathered:
        incident.worked_here = incident.pk in worked_ids
    return {
        "gathered": gathered,
        "worked": [i for i in worked if i.pk not in {g.pk for g in gathered}],
        "worked_count": len(worked),
    }


# --- payments ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FinancialYear:
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        if self.starts_on.year == self.ends_on.year:
            return str(self.starts_on.year)
        return f"{self.starts_on.year}–{self.ends_on.year % 100:02d}"

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def financial_year(start_month: int, day: date) -> FinancialYear:
    """The school's financial year containing `day` (April–March maintained, September–August academies)."""
    year = day.year if day.month >= start_month else day.year - 1
    return financial_year_starting(start_month, year)


def financial_year_starting(start_month: int, year: int) -> FinancialYear:
    starts = date(year, start_month, 1)
    return FinancialYear(starts, starts + relativedelta(years=1) - timedelta(days=1))


def payment_schools(*, user: User) -> QuerySet[School]:
    """The schools whose payments this person reads."""
    return School.objects.filter(pk__in=access_for(user).school_ids(PAYMENT_ROLES)).order_by("name")


def desk_schools(*, user: User) -> QuerySet[School]:
    """The schools whose diary and payments this person keeps (their desk), by name: the forms' choices."""
    return School.objects.filter(pk__in=access_for(user).school_ids(DIARY_DESK_ROLES)).order_by("name")


def payment_api_list(*, user: User) -> QuerySet[Payment]:
    """The API's payments: those of the schools where the person reads payments."""
    access = access_for(user)
    school_ids = access.school_ids(PAYMENT_ROLES)
    rows = payment_list(user=user)
    return rows.filter(access.schools_q(PAYMENT_ROLES)) if school_ids else rows.none()


def payment_list(*, user: User) -> QuerySet[Payment]:
    return Payment.objects.visible_to(user).select_related("school", "supplier", "contract")


def payments_in_year(queryset, schools, year: int | None, today: date):
    """Each school's payments due in its own financial year: the one starting in `year`, or the current one."""
    condition, years = Q(pk__in=[]), {}
    for school in schools:
        fy = (
            financial_year(school.financial_year_start_month, today)
            if year is None
            else financial_year_starting(school.financial_year_start_month, year)
        )
        years[school] = fy
        condition |= Q(school_id=school.pk, due_on__range=(fy.starts_on, fy.ends_on))
    return queryset.filter(condition), years


def _money(expression, condition=None):
    return Coalesce(
        Sum(expression, filter=condition),
        Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def payment_totals(queryset, today: date) -> dict:
    """Totals in SQL: overall (net, VAT, gross; paid, due, overdue), by supplier and by category."""
    gross = F("amount") + F("vat")
    unpaid = Q(paid_on__isnull=True)
    totals = queryset.aggregate(
        count=Count("pk"),
        net=_money("amount"),
        tax=_money("vat"),
        gross=_money(gross),
        paid=_money(gross, Q(paid_on__isnull=False)),
        overdue=_money(gross, unpaid & Q(due_on__lt=today)),
        due=_money(gross, unpaid & Q(due_on__gte=today)),
    )
    grouped = {
        "n": Count("pk"),
        "net": _money("amount"),
        "tax": _money("vat"),
        "gross": _money(gross),
        "paid": _money(gross, Q(paid_on__isnull=False)),
    }
    by_supplier = list(
        queryset.order_by().values("supplier__name").annotate(**grouped).order_by("-gross", "supplier__name")
    )
    labels = dict(SpendCategory.choices)
    by_category = [
        {**row, "label": labels.get(row["category"], row["category"])}
        for row in queryset.order_by().values("category").annotate(**grouped).order_by("-gross", "category")
    ]
    return {"totals": totals, "by_supplier": by_supplier, "by_category": by_category}


def payments_for_export(queryset, years: dict, today: date):
    """The payments of an export (diary/tables.py: PAYMENT_EXPORT) in order, each with its school's financial year
    (`export_year`) and its status today (`export_status`)."""
    by_school = {school.pk: fy for school, fy in years.items()}
    for p in queryset.order_by("school__name", "due_on", "pk"):
        p.export_year = by_school[p.school_id].label if p.school_id in by_school else ""
        p.export_status = str(p.status_on(today)).title()
        yield p


# --- the calendar feed ------------------------------------------------------------------------
def diary_feed(*, user: User, now: datetime) -> bytes:
    """The person's diary as iCalendar (RFC 5545) for Outlook and Google Calendar to subscribe to."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    for key, value in (
        ("prodid", "-//SchoolDesk//Diary//EN"),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("x-wr-calname", f"SchoolDesk: {user}"),
        ("x-wr-timezone", "Europe/London"),
        ("x-published-ttl", "PT1H"),
    ):
        cal.add(key, value)
    entries = entry_list(user=user).filter(
        starts_at__gte=now - timedelta(days=FEED_DAYS_BACK), starts_at__lte=now + timedelta(days=FEED_DAYS_AHEAD)
    )[:FEED_LIMIT]
    for entry in entries:
        event = Event()
        event.add("uid", f"diary-{entry.pk}@schooldesk")
        event.add("dtstamp", entry.updated_at)
        event.add("last-modified", entry.updated_at)
        event.add("summary", entry.title)
        if entry.is_all_day:
            event.add("dtstart", entry.starts_at.astimezone(LONDON).date())
            event.add("dtend", entry.ends_at.astimezone(LONDON).date() + timedelta(days=1))
        else:
            event.add("dtstart", entry.starts_at)
            event.add("dtend", entry.ends_at)
        where = [str(entry.location)] if entry.location_id else []
        event.add("location", ", ".join([*where, entry.school.name]))
        event.add("categories", [str(DiaryKind(entry.kind).label)])
        about = [str(DiaryKind(entry.kind).label)]
        if entry.contract_id:
            about.append(f"Contract {entry.contract.reference} with {entry.contract.supplier}")
        if entry.incident_id:
            about.append(f"Call {entry.incident.reference}")
        if entry.person_id:
            about.append(f"With {entry.person}")
        event.add("description", "\n".join([*about, "", entry.notes]).strip())
        if entry.remind_days_before is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry.title)
            alarm.add("trigger", -timedelta(days=entry.remind_days_before))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def contract_payments(*, user: User, contract: Contract, today: date) -> list[Payment]:
    """For the contract's page: its payments the user may see (the latest 24)."""
    return list(
        Payment.objects.visible_to(user)
        .filter(contract=contract)
        .select_related("school")
        .with_status(today)
        .order_by("-due_on", "school__name")[:24]
    )


def contract_entries(*, user: User, contract: Contract, today: date) -> list[DiaryEntry]:
    """For the contract's page: its next diary entries (visits, notice dates, the end), payments aside."""
    return list(
        entry_list(user=user)
        .filter(contract=contract, starts_at__gte=local_midnight(today))
        .exclude(kind=DiaryKind.PAYMENT_DUE)[:8]
    )
