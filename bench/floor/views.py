"""The floor: what Django itself costs to show the same content as the desk's busiest pages (issue 23).

Each view reads the same rows and figures its product page shows, through the same scoping (the product's
selectors' querysets and conditions, read with `.values()`), and renders them with one small template of its
own through the "floor" template engine (bench/floor/settings.py: the request and auth context processors, no
menu, no other context processors). Sign-in, sessions and the rest of the middleware are the product's: the floor
is served by the same process. What the product spends above this is its layout, menus, forms, badges and
checks: `make bench` shows each page's time beside its floor, and a floor that showed less than its page would
make the page look slower than it is, one that showed more would make it look faster; each view's docstring says
what it reads, query by query, so that the two can be compared.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from schooldesk.assets.choices import REFERENCE_PREFIX as ASSET_PREFIX
from schooldesk.assets.selectors import asset_list
from schooldesk.core.calendar import LONDON
from schooldesk.core.expressions import Rare
from schooldesk.core.permissions import can
from schooldesk.core.views import PAGE_SIZE, CappedPaginator
from schooldesk.diary.selectors import entry_list, month_weeks
from schooldesk.incidents.choices import ACTIVE_STATUSES, PAUSED_STATUSES, IncidentStatus
from schooldesk.incidents.filtersets import reference_matches
from schooldesk.incidents.models import REFERENCE_PREFIX, Attachment, Incident, IncidentUpdate
from schooldesk.incidents.search import incident_text_filter
from schooldesk.incidents.selectors import (
    TABLE_FIELDS,
    TRIAGE_SECTION_SIZE,
    _triage_filters,  # the queue's own conditions: the floor must read the very same rows
    incident_list,
    triage_counts,
)
from schooldesk.licences.selectors import compliance_summary, licence_list, licence_school_ids
from schooldesk.outages.models import CallApproval, CallChange, OutageCall
from schooldesk.privacy.selectors import requests_open
from schooldesk.reports.selectors import escalated_to_my_supplier
from schooldesk.safeguarding.selectors import breaches_on_the_clock, filter_requests_waiting, restricted_held
from schooldesk.schools.choices import Priority
from schooldesk.schools.models import School

#: a call's row, as the call table (incidents/call_rows.html) shows it: the product's own list of columns
CALL_ROW = ("pk", *TABLE_FIELDS)
CALL_PAGE = (
    *CALL_ROW,
    "school_id",
    "supplier_id",
    "kind",
    "description",
    "expected",
    "happened",
    "checked",
    "last_worked",
    "happened_before",
    "reporter_availability",
    "reporter_name",
    "reporter_contact",
    "reported_by__first_name",
    "reported_by__last_name",
    "logged_by__first_name",
    "logged_by__last_name",
    "channel",
    "location__building",
    "asset_id",
    "asset__tag",
    "asset__make",
    "asset__model",
    "category__name",
    "impact",
    "urgency",
    "priority_override_reason",
    "supplier_reference",
    "supplier_responded_at",
    "supplier_fixed_at",
    "resolved_at",
    "closed_at",
    "resolution",
    "is_workaround",
    "satisfaction",
    "satisfaction_comment",
    "satisfaction_at",
    "satisfaction_asked_at",
    "duplicate_of_id",
)
UPDATE_ROW = (
    "pk",
    "kind",
    "body",
    "is_public",
    "created_at",
    "author__first_name",
    "author__last_name",
    "field",
    "old_value",
    "new_value",
    "minutes_spent",
)
ASSET_ROW = (
    "pk",
    "tag",
    "asset_type__name",
    "make",
    "model",
    "serial",
    "location__name",
    "location__building",
    "school__name",
    "status",
    "issued_to__first_name",
    "issued_to__last_name",
    "loan_due_on",
    "warranty_ends_on",
    "support_ends_on",
)
LICENCE_ROW = (
    "pk",
    "product",
    "publisher",
    "school__name",
    "licence_type",
    "owned",
    "in_use",
    "over_allocated",
    "state",
    "renews_on",
    "ends_on",
)
DIARY_ROW = ("pk", "kind", "title", "starts_at", "is_all_day", "school__short_name", "school__name")
#: the asset and call lists count this far and no further, a word search to SEARCH_CAP (core/views.py CappedPaginator)
COUNT_CAP, SEARCH_CAP = CappedPaginator.CAP, CappedPaginator.SEARCH_CAP
LICENCE_PAGE = 50  # the compliance page's licences, 50 a page


def _calls(rows, limit: int) -> list[dict]:
    return list(rows.values(*CALL_ROW)[:limit])


@login_required
def home(request):
    """`/` (reports/views_desk.py HomeView, home.html): the schools the person sees with their SPOC and deputy
    (one query), the calls they reported (10, newest first), the open calls forwarded to them (25, if they work
    calls), the triage counts (one aggregate, if they triage), a provider's escalated calls, the restricted lane's
    panel (breaches on the clock, filter requests: no query for a SPOC) and the open subject access requests (10,
    if they may see them)."""
    user, now = request.user, timezone.now()
    schools = list(
        School.objects.visible_to(user).values(
            "name",
            "desk_phone",
            "spoc_days",
            "spoc_id",
            "spoc__first_name",
            "spoc__last_name",
            "spoc_from",
            "spoc_until",
            "deputy_id",
            "deputy__first_name",
            "deputy__last_name",
            "deputy_from",
            "deputy_until",
        )
    )
    weekday = now.astimezone(LONDON).weekday()
    for school in schools:  # spoc_on_duty, on the row: the SPOC on their days, otherwise the deputy
        on_their_day = str(weekday) in {d.strip() for d in school["spoc_days"].split(",")}
        who = "spoc" if school["spoc_id"] and (on_their_day or not school["deputy_id"]) else "deputy"
        school["duty"] = {
            "id": school[f"{who}_id"],
            "first_name": school[f"{who}__first_name"],
            "last_name": school[f"{who}__last_name"],
            "from": school[f"{who}_from"],
            "until": school[f"{who}_until"],
        }
    mine = _calls(incident_list(user=user).filter(reported_by=user).order_by("-logged_at"), 10)
    assigned = []
    if can(user, "incidents.work"):
        assigned = _calls(
            incident_list(user=user)
            .filter(assigned_to=user, status__in=ACTIVE_STATUSES)
            .order_by("location__name", "resolve_due_at"),
            25,
        )
    queue = triage_counts(user=user, now=now) if can(user, "incidents.triage_queue") else None
    escalated = escalated_to_my_supplier(user=user)
    requests = list(requests_open(user=user).values("pk", "due_on")[:10]) if can(user, "privacy.request") else []
    context = {
        "schools": schools,
        "sections": [(title, rows) for title, rows in (("Forwarded to me", assigned), ("I reported", mine)) if rows],
        "queue": queue,
        "escalated": [{"pk": i.pk, "summary": i.summary} for i in escalated or ()],
        "clocks": breaches_on_the_clock(user=user),
        "waiting": filter_requests_waiting(user=user),
        "requests": requests,
    }
    return render(request, "floor/home.html", context, using="floor")


@login_required
def triage(request):
    """`/incidents/triage/` (incidents/views.py TriageView, triage.html): the four sections of the SPOC's queue
    through the queue's own conditions (`_triage_filters`), 25 rows each, the counts in one aggregate
    (`triage_counts`) and the restricted calls the desk holds but cannot read (`restricted_held`, up to 50)."""
    if not can(request.user, "incidents.triage_queue"):
        raise PermissionDenied
    now = timezone.now()
    base, at_risk = _triage_filters(request.user, now)
    counts = triage_counts(user=request.user, now=now)
    sections = {
        "new": base.filter(status=IncidentStatus.NEW).order_by("logged_at"),
        "at_risk": base.filter(at_risk).order_by("resolve_due_at"),
        "waiting": base.filter(Rare(Q(status__in=PAUSED_STATUSES))).order_by("logged_at"),  # as the page asks
        "next_visit": base.filter(status__in=ACTIVE_STATUSES, for_next_visit=True).order_by(
            "location__name", "logged_at"
        ),
    }
    queue = [
        {"name": name, "count": counts[name], "rows": _calls(rows, TRIAGE_SECTION_SIZE)}
        for name, rows in sections.items()
    ]
    return render(
        request, "floor/triage.html", {"queue": queue, "held": restricted_held(user=request.user)}, using="floor"
    )


def _search(value: str) -> Q:
    """The call list's search (IncidentFilterSet.search): a reference, or the words through the full-text index
    with a supplier's reference or an asset tag."""
    digits = value.upper().removeprefix(REFERENCE_PREFIX).removeprefix("-")
    if digits.isascii() and digits.isdecimal():
        return Q(pk=int(digits))
    return reference_matches(value) | incident_text_filter(value)


@login_required
def call_list(request):
    """`/incidents/` (incidents/views.py IncidentListView, incident_list.html), also with `?status=…&priority=…`
    and `?q=…`: the calls the person may see (`Incident.objects.visible_to`), narrowed as the list's filters
    narrow them (status, priority: only known values, as the filter form drops the others; the search box's
    words), newest first; the count (to the list's cap, as the page counts) and the first 25 rows with the call
    table's columns (TABLE_FIELDS)."""
    calls = Incident.objects.visible_to(request.user)
    statuses = [s for s in request.GET.getlist("status") if s in IncidentStatus.values]
    priorities = [p for p in request.GET.getlist("priority") if p in Priority.values]
    if statuses and len(statuses) == len(request.GET.getlist("status")):
        calls = calls.filter(status__in=statuses)
    if priorities and len(priorities) == len(request.GET.getlist("priority")):
        calls = calls.filter(priority__in=priorities)
    if value := request.GET.get("q", "").strip():
        calls = calls.filter(_search(value))
    calls = calls.order_by("-logged_at")
    cap = SEARCH_CAP if value else COUNT_CAP
    count = calls.order_by().values("pk")[: cap + 1].count()
    context = {"count": min(count, cap), "capped": count > cap, "rows": _calls(calls, PAGE_SIZE), "q": value}
    return render(request, "floor/list.html", context, using="floor")


@login_required
def call_page(request, pk: int):
    """`/incidents/<pk>/` (incidents/views.py IncidentDetailView, incident_detail.html): the call with what its
    facts name (school, place, reporter, who logged it, device, category, supplier, who has it: one query), its
    timeline with each entry's author (internal notes only for those who work the call, as the page), the
    entries' attachments (one query, as the page's prefetch), and the outage panel's three reads (the outage the
    call is part of, its approval, the change raised from it). Not the action forms, the SLA badge's words, the
    loaner panel (it reads only for a call about a device on loan: none of the bench's calls)."""
    call = Incident.objects.visible_to(request.user).filter(pk=pk).values(*CALL_PAGE).first()
    if call is None:
        raise Http404
    internal = can(
        request.user,
        "incidents.see_internal",
        Incident(pk=pk, school_id=call["school_id"], supplier_id=call["supplier_id"]),
    )
    updates = IncidentUpdate.objects.filter(incident_id=pk).order_by("created_at", "id")
    timeline = list((updates if internal else updates.filter(is_public=True)).values(*UPDATE_ROW))
    attachments: dict[int, list[dict]] = {}
    if timeline:
        for a in Attachment.objects.filter(update_id__in=[u["pk"] for u in timeline]).values(
            "update_id", "pk", "original_name", "size"
        ):
            attachments.setdefault(a["update_id"], []).append(a)
    for update in timeline:
        update["attachments"] = attachments.get(update["pk"], ())
    context = {
        "call": call,
        "timeline": timeline,
        "outage": OutageCall.objects.filter(incident_id=pk).values("outage_id", "outage__title").first(),
        "approval": CallApproval.objects.filter(incident_id=pk)
        .values("pk", "decision", "reason", "decided_at", "approver__first_name", "decided_by__first_name")
        .first(),
        "change": CallChange.objects.filter(incident_id=pk).values("change_id").first(),
    }
    return render(request, "floor/call.html", context, using="floor")


@login_required
def assets(request):
    """`/assets/` (assets/views.py AssetListView, asset_list.html): the register as the person may see it
    (`asset_list`), by tag; the count up to the page's cap of 10,000 and the first 25 rows with the table's
    columns (tag, type, make and model, serial, place, school, status, who has it and until when, warranty and
    support dates)."""
    if not can(request.user, "assets.change"):
        raise PermissionDenied
    rows = asset_list(user=request.user).order_by("tag")
    count = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
    context = {"count": min(count, COUNT_CAP), "capped": count > COUNT_CAP}
    context["rows"] = list(rows.values(*ASSET_ROW)[:PAGE_SIZE])
    context["prefix"] = ASSET_PREFIX
    return render(request, "floor/assets.html", context, using="floor")


@login_required
def compliance(request):
    """`/licences/compliance/` (licences/views.py ComplianceView, compliance.html) for a one-school desk: the
    school's position (`compliance_summary`, one aggregate), the schools' names (the choice of school), the count
    and the first 50 licences most urgent first, with the compliance figures the product computes in SQL
    (`licence_list`'s annotations: owned, in use, over-allocated, state)."""
    if not can(request.user, "licences.view"):
        raise PermissionDenied
    school_ids = licence_school_ids(user=request.user)
    licences = licence_list(user=request.user)
    rows = licences.order_by("state_order", "product", "pk")
    context = {
        "schools": list(School.objects.filter(pk__in=school_ids).values("pk", "name")),
        "summary": compliance_summary(licences),
        "count": rows.count(),
        "rows": list(rows.values(*LICENCE_ROW)[:LICENCE_PAGE]),
    }
    return render(request, "floor/compliance.html", context, using="floor")


@login_required
def diary(request):
    """`/diary/` (diary/views.py DiaryCalendarView, diary.html): this month's weeks (Monday to Sunday, as the
    page) with the entries the person may see (`entry_list`) starting on each day, in one query, each as its
    time, title and school; and the month's days with entries again as a list (the page's narrow-screen view)."""
    today = timezone.localdate()
    weeks = month_weeks(today.year, today.month)
    start = dt.datetime.combine(weeks[0][0], dt.time.min, tzinfo=LONDON)
    end = dt.datetime.combine(weeks[-1][-1] + timedelta(days=1), dt.time.min, tzinfo=LONDON)
    days: dict[dt.date, list[dict]] = {}
    for entry in (
        entry_list(user=request.user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
        .values(*DIARY_ROW)
    ):
        days.setdefault(entry["starts_at"].astimezone(LONDON).date(), []).append(entry)
    context = {
        "month": today,
        "weeks": [[(day, days.get(day, ())) for day in week] for week in weeks],
        "listed": [(day, days[day]) for day in sorted(days) if day.month == today.month],
    }
    return render(request, "floor/diary.html", context, using="floor")
