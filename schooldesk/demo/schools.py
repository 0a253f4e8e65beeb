"""Demo and benchmark data: Northbridge Borough Council with a primary and a secondary school, their
people, suppliers, calendars and a year of realistic calls in every state.

`demo_create()` is what `manage.py demo_seed` runs; `bench.run` calls it with far more calls. The same
seed and `now` give the same data. Calls and their timelines are written with bulk inserts; their
priorities come from `priority_for` and their due times from `sla_refresh` on the school's real
calendar (built once per school), so a school's year of calls takes a second, not minutes.
The catalogue of schools, people and call texts is at the bottom of the module.
"""

from __future__ import annotations

import contextlib
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from schooldesk.accounts.models import Membership, MfaPolicy, User
from schooldesk.core.calendar import LONDON, ServiceCalendar
from schooldesk.incidents.choices import Channel, SupportLevel, UpdateKind
from schooldesk.incidents.choices import IncidentStatus as S
from schooldesk.incidents.models import Category, Incident, IncidentUpdate, change_sentence
from schooldesk.incidents.services import priority_for, sla_refresh
from schooldesk.locations.models import Location
from schooldesk.schools.models import Closure, Organisation, School, Term
from schooldesk.schools.selectors import school_calendar
from schooldesk.schools.services import school_create
from schooldesk.suppliers.models import Supplier

DEMO_PASSWORD = "schooldesk-demo"  # noqa: S105 - the published password of the demo desk
ROLE_ORDER = ("spoc", "reporter", "technician", "provider", "owner", "viewer", "dpo", "dsl")
ACTIVE_MIX = {
    S.NEW: 15,
    S.OPEN: 15,
    S.WITH_FIRST_LEVEL: 30,
    S.WITH_SECOND_LEVEL: 15,
    S.WAITING_REPORTER: 12,
    S.WAITING_SUPPLIER: 13,
}
ENDED_MIX = {S.CLOSED: 91, S.CANCELLED: 5, S.DUPLICATE: 4}
WORKING_STATUS = {SupportLevel.FIRST: S.WITH_FIRST_LEVEL, SupportLevel.SECOND: S.WITH_SECOND_LEVEL}


@dataclass
class SchoolPeople:
    by_role: dict[str, User]
    staff: list[User]  # colleagues without a demo login: most calls come from them
    visiting_technician: User

    @property
    def reporters(self) -> list[User]:
        return [self.by_role["reporter"]] * 4 + self.staff + [self.by_role["spoc"], self.by_role["owner"]]


@dataclass
class Demo:
    organisation: Organisation
    suppliers: dict[str, Supplier]
    schools: dict[str, School] = field(default_factory=dict)
    people: dict[str, SchoolPeople] = field(default_factory=dict)


def demo_exists() -> bool:
    return User.objects.filter(username=f"{SCHOOLS[0]['key']}.spoc").exists()


def demo_usernames() -> list[str]:
    return [f"{spec['key']}.{role}" for spec in SCHOOLS for role in ROLE_ORDER] + [p[0] for p in LA_PEOPLE]


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, name, role, where) for every demo login, school by school in role order."""
    order = {username: n for n, username in enumerate(demo_usernames())}
    memberships = sorted(
        Membership.objects.filter(user__username__in=order).select_related("user", "school", "organisation"),
        key=lambda m: (order[m.user.username], m.school.name if m.school_id else ""),
    )
    return [
        (
            m.user.username,
            m.user.get_full_name(),
            str(m.get_role_display()),
            m.school.name if m.school_id else f"every school of {m.organisation}",
        )
        for m in memberships
    ]


@contextlib.contextmanager
def historic_timestamps(*models):
    """Let bulk inserts keep the `created_at`/`updated_at` given to them (a year of history)."""
    saved = []
    for model in models:
        for name in ("created_at", "updated_at"):
            f = model._meta.get_field(name)
            saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@transaction.atomic
def demo_create(
    *, incidents: int | dict[str, int] = 300, months: int = 12, seed: int = 2026, now: datetime | None = None
) -> Demo:
    """The whole demo, with `incidents` calls per school (or per school key: {"riverside": 20000})."""
    now = now or timezone.now()
    organisation = Organisation.objects.create(name=ORGANISATION, kind="la")
    suppliers = {
        kind: Supplier.objects.create(organisation=organisation, kind=kind, **fields)
        for kind, fields in SUPPLIERS.items()
    }
    password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo login
    la = {
        username: User.objects.create(
            username=username, first_name=first, last_name=last, job_title=title, email=email, password=password
        )
        for username, first, last, title, email in LA_PEOPLE
    }
    Membership.objects.create(user=la["northbridge.la"], organisation=organisation, role="owner")
    # The demo's council asks nobody for two-step sign-in, so that every demo login opens the desk at once (and the
    # upgrade and speed checks that sign in as them); northbridge.la can switch it on from Security.
    MfaPolicy.objects.create(organisation=organisation, roles=[])
    demo = Demo(organisation=organisation, suppliers=suppliers)
    for spec in SCHOOLS:
        school = demo_school_create(organisation=organisation, spec=spec)
        people = demo_people_create(
            school=school, spec=spec, password=password, suppliers=suppliers, visiting=la["northbridge.tech"]
        )
        school.spoc, school.deputy = people.by_role["spoc"], people.by_role["owner"]
        school.save(update_fields=["spoc", "deputy"])
        count = incidents.get(spec["key"], 0) if isinstance(incidents, dict) else incidents
        incidents_generate(
            school=school,
            count=count,
            people=people,
            suppliers=suppliers,
            rng=random.Random(f"{seed}-{spec['key']}"),
            now=now,
            months=months,
        )
        demo.schools[spec["key"]], demo.people[spec["key"]] = school, people
    return demo


def demo_school_create(*, organisation: Organisation, spec: dict) -> School:
    """The school (through the service: preset locations and categories), its calendar and rooms."""
    school = school_create(organisation=organisation, **spec["school"])
    d = date.fromisoformat
    Term.objects.bulk_create(
        [
            Term(
                school=school,
                name=name,
                starts_on=d(first),
                ends_on=d(last),
                half_term_starts_on=d(ht_first),
                half_term_ends_on=d(ht_last),
            )
            for name, first, last, ht_first, ht_last in spec["terms"]
        ]
    )
    Closure.objects.bulk_create(
        [
            Closure(school=school, name="INSET day", kind="inset", starts_on=d(day), ends_on=d(day))
            for day in spec["inset_days"]
        ]
    )
    Location.objects.bulk_create([Location(school=school, name=n, building=b) for n, b in spec["locations"]])
    return school


def demo_people_create(*, school: School, spec: dict, password: str, suppliers: dict, visiting: User) -> SchoolPeople:
    key = spec["key"]

    def person(username, first, last, title, domain=spec["domain"]):
        email = f"{first[0]}.{re.sub('[^a-z]', '', last.lower())}@{domain}".lower()
        return User(
            username=username, first_name=first, last_name=last, job_title=title, email=email, password=password
        )

    logins = {role: person(f"{key}.{role}", *spec["people"][role]) for role in ROLE_ORDER}
    staff = [person(f"{key}.staff{i:02d}", *names) for i, names in enumerate(spec["staff"], 1)]
    for user in staff:
        user.set_unusable_password()  # colleagues who appear on calls, not demo logins
    User.objects.bulk_create([*logins.values(), *staff])
    memberships = [
        Membership(user=user, school=school, role=role, supplier=suppliers["la_ict"] if role == "provider" else None)
        for role, user in logins.items()
    ]
    memberships += [Membership(user=user, school=school, role="reporter") for user in staff]
    memberships.append(Membership(user=visiting, school=school, role="technician"))
    Membership.objects.bulk_create(memberships)
    return SchoolPeople(by_role=logins, staff=staff, visiting_technician=visiting)


# --- calls ------------------------------------------------------------------------------------
def status_plan(count: int, rng: random.Random) -> list[str]:
    """Every status at least once, then a desk's usual mix: a few dozen live calls, the rest ended."""
    forced = list(S)[:count]
    rest = count - len(forced)
    active = min(round(rest * 0.2), 40 + rest // 100)
    resolved = min(round(rest * 0.04), 8 + rest // 500)
    plan = forced + [S.RESOLVED] * resolved
    plan += rng.choices(list(ACTIVE_MIX), weights=list(ACTIVE_MIX.values()), k=active)
    plan += rng.choices(list(ENDED_MIX), weights=list(ENDED_MIX.values()), k=rest - active - resolved)
    return plan


def school_days(calendar: ServiceCalendar, now: datetime, months: int) -> list[date]:
    """Service days, oldest first, from `months` ago to today (skipping the usual holidays before the
    first term on record, which the calendar would otherwise count as term time)."""
    today = now.astimezone(LONDON).date()
    first_term = min((t.starts_on for t in calendar.terms), default=today)
    days, day = [], today - timedelta(days=round(months * 30.44))
    while day <= today:
        if calendar.is_service_day(day) and (day >= first_term or not usual_holiday(day)):
            if day < today or calendar.window(day)[0] + timedelta(hours=1) < now:
                days.append(day)
        day += timedelta(days=1)
    return days


def incidents_generate(
    *,
    school: School,
    count: int,
    people: SchoolPeople,
    suppliers: dict[str, Supplier],
    rng: random.Random,
    now: datetime,
    months: int = 12,
) -> list[Incident]:
    """`count` calls over the last `months`, in every status, with consistent timestamps and timelines."""
    if count <= 0:
        return []
    builder = _CallBuilder(
        school=school,
        people=people,
        suppliers=suppliers,
        rng=rng,
        now=now,
        calendar=school_calendar(school=school),
        months=months,
    )  # one calendar for every call
    plan = sorted((builder.logged_at(status), status) for status in status_plan(count, rng))
    if plan[0][1] == S.DUPLICATE:  # the oldest call cannot duplicate an earlier one
        swap = next((i for i, (_, status) in enumerate(plan) if status == S.CLOSED), 0)
        plan[0], plan[swap] = (plan[0][0], plan[swap][1]), (plan[swap][0], S.DUPLICATE)
    restricted_at = next((i for i, (_, status) in enumerate(plan) if status == S.WITH_FIRST_LEVEL), -1)
    calls = [builder.build(status, at, restricted=i == restricted_at) for i, (at, status) in enumerate(plan)]
    incidents = [call.incident for call in calls]
    with historic_timestamps(Incident, IncidentUpdate):
        Incident.objects.bulk_create(incidents, batch_size=500)
        duplicates = [call for call in calls if call.original is not None]
        for call in duplicates:
            call.incident.duplicate_of_id = call.original.pk
            body = f"Duplicate of {call.original.reference}: {call.original.summary}"
            call.events.append((call.incident.closed_at, UpdateKind.DUPLICATE, call.desk, body, False, {}))
        Incident.objects.bulk_update([call.incident for call in duplicates], ["duplicate_of"], batch_size=500)
        IncidentUpdate.objects.bulk_create(
            [
                IncidentUpdate(
                    incident=call.incident,
                    kind=kind,
                    author=author,
                    body=body,
                    is_public=public,
                    created_at=at,
                    updated_at=at,
                    field=extra.get("field", ""),
                    old_value=extra.get("old", ""),
                    new_value=extra.get("new", ""),
                    minutes_spent=extra.get("minutes", 0),
                )
                for call in calls
                for at, kind, author, body, public, extra in sorted(call.events, key=lambda e: e[0])
            ],
            batch_size=1000,
        )
    return incidents


@dataclass
class _Call:
    incident: Incident
    desk: User
    original: Incident | None = None
    events: list = field(default_factory=list)  # (at, kind, author, body, is_public, extra)
    labels: dict[str, str] = field(default_factory=dict)  # status labels, translated once per school
    status_label: str = "New"

    def status(self, at, new: str, by, body: str = "", public: bool = True) -> None:
        label = self.labels[new]
        change = {"field": "status", "old": self.status_label, "new": label}
        self.events.append((at, UpdateKind.STATUS, by, body, public, change))
        self.status_label = label
        self.incident.version += 1


class _CallBuilder:
    def __init__(self, *, school, people, suppliers, rng, now, calendar, months):
        self.school, self.people, self.suppliers, self.rng = school, people, suppliers, rng
        self.now, self.calendar, self.days = now, calendar, school_days(calendar, now, months)
        # the latest moment anything can have happened: now, or when the desk last closed
        self.ceiling = min(now, calendar.window(self.days[-1])[1]) - timedelta(minutes=1)
        self.locations = {loc.name: loc for loc in Location.objects.filter(school=school)}
        self.rooms = [loc for loc in self.locations.values() if not loc.is_preset]
        self.rooms = self.rooms or list(self.locations.values())
        self.categories = {c.name: c for c in Category.objects.filter(school=school)}
        self.recent: list[Incident] = []  # what a duplicate can be a duplicate of
        self.labels = {status: str(status.label) for status in S}
        self.channels = {value: str(label) for value, label in Channel.choices}
        self.tag = (school.short_name or school.name)[:3].upper()
        self.mis, self.mis_supplier = MIS_BY_SCHOOL.get(school.short_name, ("SIMS", "la_ict"))

    def logged_at(self, status: str) -> datetime:
        """Live calls are recent; resolved ones within the auto-close days; ended ones any time."""
        if status in (S.CLOSED, S.CANCELLED, S.DUPLICATE):
            back = self.rng.randrange(len(self.days))
        else:
            span = {S.NEW: 2, S.RESOLVED: 3, S.WAITING_SUPPLIER: 35}.get(status, 8)
            back = min(int(self.rng.triangular(0, span + 1, 0)), len(self.days) - 1)
        opens, closes = self.calendar.window(self.days[-1 - back])
        minutes = (closes - opens).total_seconds() / 60 - 20
        moment = opens + timedelta(
            minutes=self.rng.triangular(0, minutes, minutes * 0.2), seconds=self.rng.randint(0, 59)
        )
        latest = self.ceiling - timedelta(minutes=self.rng.randint(30, 50))
        return max(opens, min(moment, latest))

    def after(self, start: datetime, minutes: float) -> datetime:
        """`minutes` of service time after `start`; squeezed into the time left when that is past now."""
        moment = self.calendar.add_minutes(start, max(1, int(minutes)))
        if moment > self.ceiling:
            left = self.calendar.minutes_between(start, self.ceiling)
            moment = self.calendar.add_minutes(start, int(left * self.rng.uniform(0.5, 0.95)))
            moment = min(moment, self.ceiling)
        return max(start, moment)

    def build(self, status: str, logged_at: datetime, restricted: bool = False) -> _Call:
        rng, roles = self.rng, self.people.by_role
        original = rng.choice(self.recent[-15:]) if status == S.DUPLICATE and self.recent else None
        restricted = original is None and (restricted or rng.random() < 0.02)
        pool = RESTRICTED if restricted else CALLS
        if status in (S.WITH_SECOND_LEVEL, S.WAITING_SUPPLIER):
            pool = [t for t in pool if t.get("supplier")]
        template = rng.choice(pool)
        summary, hint = rng.choice(
            [
                (text, where)
                for text, where in template["summaries"]
                if where in (None, "room") or where in self.locations
            ]
        )
        if hint == "room" or (hint is None and rng.random() < 0.5):
            location = rng.choice(self.rooms)
        else:
            location = self.locations.get(hint) or rng.choice(list(self.locations.values()))
        device = ""
        if template.get("devices") and rng.random() < 0.8:
            device = f"{rng.choice(template['devices'])} ({self.tag}-{rng.randint(1, 240):03d})"
        reporters = [roles["dpo"], roles["reporter"], *self.people.staff[:3]] if restricted else None
        reported_by, reporter_name = rng.choice(reporters or self.people.reporters), ""
        channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        logged_by = reported_by if channel in ("web", "email", "qr") else roles["spoc"]
        if channel == "technician":
            reported_by = logged_by = roles["technician"]
        elif channel == "phone" and rng.random() < 0.25:
            reported_by, reporter_name = None, rng.choice(CALLERS)
        impact, urgency = rng.choice(template["impact"]), rng.choice(template["urgency"])
        incident = Incident(
            school=self.school,
            kind=template.get("kind", "incident"),
            summary=summary.format(mis=self.mis),
            location=location,
            device=device,
            channel=channel,
            reported_by=reported_by,
            reporter_name=reporter_name,
            logged_by=logged_by,
            category=self.categories[template["category"]],
            impact=impact,
            urgency=urgency,
            priority=priority_for(school=self.school, impact=impact, urgency=urgency),
            status=status,
            is_restricted=restricted,
            logged_at=logged_at,
            created_at=logged_at,
            reporter_availability=rng.choice(AVAILABILITY).format(where=location.name),
        )
        if original is not None:  # the same fault, reported again by someone else
            for name in ("summary", "location", "device", "category", "impact", "urgency", "priority"):
                setattr(incident, name, getattr(original, name))
            incident.kind = original.kind
        elif incident.kind == "request" and rng.random() < 0.3:
            incident.priority, incident.priority_override_reason = "P5", "Planned work: for the next visit."
        if channel == "web" and rng.random() < 0.5:
            incident.checked, incident.last_worked = rng.choice(CHECKED), rng.choice(LAST_WORKED)
            incident.happened_before = rng.choice(["yes", "no", ""])
        desk = rng.choices([roles["spoc"], roles["owner"]], [85, 15])[0]
        call = _Call(incident=incident, original=original, desk=desk, labels=self.labels)
        caller = "" if reported_by == logged_by else f" for {reporter_name or reported_by}"
        call.events.append(
            (
                logged_at,
                UpdateKind.LOGGED,
                logged_by,
                f"Logged by {logged_by} ({self.channels[channel]}){caller}.",
                True,
                {},
            )
        )
        self.lifecycle(call, template)
        sla_refresh(incident, self.calendar)
        if not restricted:
            self.recent.append(incident)
        return call

    def level_for(self, status: str, template: dict) -> str:
        if status in (S.WITH_SECOND_LEVEL, S.WAITING_SUPPLIER):
            return SupportLevel.SECOND
        if status in (S.NEW, S.OPEN):
            return SupportLevel.DESK
        roll = self.rng.random()
        if status == S.WITH_FIRST_LEVEL or (status == S.WAITING_REPORTER and roll < 0.8):
            return SupportLevel.FIRST
        if template.get("supplier") and roll < 0.35 and status != S.WAITING_REPORTER:
            return SupportLevel.SECOND
        return SupportLevel.FIRST if roll < 0.8 else SupportLevel.DESK

    def lifecycle(self, call: _Call, template: dict) -> None:
        """Walk the call through triage, routing, waiting and its ending, as the services would."""
        inc, rng, desk, status = call.incident, self.rng, call.desk, call.incident.status
        targets = self.school.sla_targets.get(inc.priority) or {"respond": 510, "resolve": 2550}
        t = inc.logged_at
        quick_end = status in (S.CANCELLED, S.DUPLICATE) and rng.random() < 0.6
        if status != S.NEW and not quick_end:
            t = inc.responded_at = self.after(t, targets["respond"] * rng.uniform(0.05, 1.3))
            said = (
                change_sentence("category", "", inc.category),
                change_sentence("priority_level", "", inc.get_priority_display()),
            )
            triage = ". ".join(said) + "."
            call.events.append((t, UpdateKind.TRIAGE, desk, triage, False, {}))
            call.status(t, S.OPEN, desk)
            inc.support_level = self.level_for(status, template)
            t = self.route(call, template, t)
        if status not in (S.NEW, S.OPEN, S.WITH_FIRST_LEVEL, S.WITH_SECOND_LEVEL) and not quick_end:
            t = self.wait(call, t)
        if status in (S.CANCELLED, S.DUPLICATE):
            t = inc.closed_at = inc.sla_paused_at = self.after(t, rng.randint(5, 300))
            if status == S.CANCELLED:
                call.status(t, S.CANCELLED, inc.reported_by or desk, rng.choice(CANCEL_REASONS))
            else:
                call.status(t, S.DUPLICATE, desk, public=False)
        elif status in (S.RESOLVED, S.CLOSED):
            t = self.resolve(call, template, t, targets["resolve"])
        inc.updated_at = t

    def route(self, call: _Call, template: dict, t: datetime) -> datetime:
        inc, rng, desk = call.incident, self.rng, call.desk
        if inc.support_level == SupportLevel.FIRST:
            t = self.after(t, rng.randint(2, 90))
            visiting = self.people.visiting_technician
            if rng.random() < 0.3:
                inc.for_next_visit, inc.assigned_to = True, visiting if rng.random() < 0.5 else None
            else:
                inc.assigned_to = rng.choices([self.people.by_role["technician"], visiting], [65, 35])[0]
            change = {"field": "next_visit" if inc.for_next_visit else "assigned_to", "new": str(inc.assigned_to or "")}
            call.events.append((t, UpdateKind.ASSIGNMENT, desk, "", False, change))
            call.status(t, S.WITH_FIRST_LEVEL, desk)
        elif inc.support_level == SupportLevel.SECOND:
            kind = rng.choice(template["supplier"]).replace("mis", self.mis_supplier)
            inc.supplier, inc.supplier_reference = self.suppliers[kind], supplier_reference(kind, rng)
            t = inc.escalated_at = self.after(t, rng.randint(5, 120))
            change = {"field": "escalated_to", "old": inc.supplier_reference, "new": inc.supplier.name}
            call.events.append((t, UpdateKind.ESCALATION, desk, "", False, change))
            call.status(t, S.WITH_SECOND_LEVEL, desk)
        return t

    def worker(self, call: _Call) -> User:
        inc = call.incident
        if inc.support_level == SupportLevel.FIRST:
            return inc.assigned_to or self.people.visiting_technician
        if inc.support_level == SupportLevel.SECOND and inc.supplier.kind == "la_ict":
            return self.people.by_role["provider"]
        return call.desk

    def wait(self, call: _Call, t: datetime) -> datetime:
        """Waiting calls stop here with the clock paused; some ended calls waited for a while on the way."""
        inc, rng = call.incident, self.rng
        if inc.status not in (S.WAITING_REPORTER, S.WAITING_SUPPLIER) and rng.random() > 0.15:
            return t
        on = (
            inc.status
            if inc.status in (S.WAITING_REPORTER, S.WAITING_SUPPLIER)
            else (S.WAITING_SUPPLIER if inc.supplier_id and rng.random() < 0.5 else S.WAITING_REPORTER)
        )
        t = self.after(t, rng.randint(10, 300))
        call.status(t, on, self.worker(call), rng.choice(WAIT_NOTES[on]), public=on == S.WAITING_REPORTER)
        if inc.status == on:
            inc.sla_paused_at = t
            return t
        resumed = self.after(t, rng.randint(30, 900))
        inc.sla_paused_minutes = self.calendar.minutes_between(t, resumed)
        call.status(
            resumed,
            WORKING_STATUS.get(inc.support_level, S.OPEN),
            self.worker(call),
            "The reporter replied." if on == S.WAITING_REPORTER else "",
            public=False,
        )
        return resumed

    def resolve(self, call: _Call, template: dict, t: datetime, target: int) -> datetime:
        inc, rng, worker = call.incident, self.rng, self.worker(call)
        spent = self.calendar.minutes_between(inc.logged_at, t) - inc.sla_paused_minutes
        minutes = max(5, target * rng.uniform(0.05, 1.35) - spent)
        t = inc.resolved_at = inc.sla_paused_at = self.after(t, minutes)
        inc.responded_at = inc.responded_at or t
        inc.resolution = rng.choice(template["fixes"]).format(mis=self.mis)
        inc.is_workaround = rng.random() < 0.06
        call.events.append(
            (
                t,
                UpdateKind.RESOLUTION,
                worker,
                inc.resolution,
                True,
                {
                    "minutes": rng.choice([5, 10, 15, 20, 30, 45, 60, 90]),
                    "field": "workaround" if inc.is_workaround else "",
                },
            )
        )
        call.status(t, S.RESOLVED, worker, public=False)
        if inc.status != S.CLOSED:
            return t
        days = self.school.auto_close_after_days
        auto_at = self.calendar.add_service_days(t, days)
        if (rng.random() < 0.3 or not inc.reported_by_id) and auto_at <= self.ceiling:
            inc.closed_at = auto_at
            body = f"Closed automatically after {days} school days without a reply."
            call.status(auto_at, S.CLOSED, None, body)
            return auto_at
        confirmer = inc.reported_by or call.desk
        t = inc.closed_at = self.after(t, rng.randint(10, 1200))
        body = "Confirmed with the caller by phone."
        if inc.reported_by_id:
            inc.satisfaction = rng.choices(["good", "ok", "poor", ""], [70, 8, 5, 17])[0]
            inc.satisfaction_asked_at = inc.resolved_at or t  # every call is asked in the demo schools
            inc.satisfaction_at = t if inc.satisfaction else None
            body = rng.choice(THANKS)
        call.events.append((t, UpdateKind.CONFIRMATION, confirmer, body, True, {}))
        call.status(t, S.CLOSED, confirmer)
        return t


def supplier_reference(kind: str, rng: random.Random) -> str:
    prefix, digits = {"la_ict": ("NBC-", 6), "broadband": ("CS", 7), "mis": ("ARB-", 5)}.get(kind, ("RMA", 5))
    return f"{prefix}{rng.randint(10 ** (digits - 1), 10**digits - 1)}"


def usual_holiday(day: date) -> bool:
    """Roughly the summer, Christmas and Easter holidays, for dates before a school's first term."""
    m, d = day.month, day.day
    return (
        m == 8
        or (m, d) >= (7, 23)
        and m == 7
        or (m, d) < (9, 3)
        and m == 9
        or (m, d) > (12, 20)
        or (m, d) < (1, 3)
        or (m, d) < (4, 12)
        and m == 4
    )


# --- the catalogue ----------------------------------------------------------------------------
ORGANISATION = "Northbridge Borough Council"
LA_DOMAIN = "northbridge.gov.uk"
SUPPLIERS = {
    "la_ict": {
        "name": "Northbridge Schools ICT",
        "contact_name": "Schools ICT service desk",
        "email": f"schools.ict@{LA_DOMAIN}",
        "phone": "01632 960100",
        "escalation_notes": "Traded service. Log on the portal or phone the desk; quote the school's URN. "
        "Response 4 working hours, fix 2 working days; a technician visits weekly.",
    },
    "broadband": {
        "name": "Pennine Schools Broadband",
        "contact_name": "Network operations centre",
        "email": "noc@penninebroadband.co.uk",
        "phone": "01632 960200",
        "escalation_notes": "Phone for a total loss of service (4-hour fix); filtering changes by email.",
    },
    "mis": {
        "name": "Arbor Education",
        "contact_name": "School support",
        "email": "support@arbor-mis.co.uk",
        "phone": "01632 960300",
        "escalation_notes": "Raise a ticket from the Help menu inside the MIS.",
    },
    "reseller": {
        "name": "Classroom Technology Direct Ltd",
        "contact_name": "Returns and warranty",
        "email": "rma@classroomtechdirect.co.uk",
        "phone": "01632 960400",
        "escalation_notes": "Warranty returns need the serial number and a fault description.",
    },
}
LA_PEOPLE = [
    ("northbridge.la", "Gillian", "Parr", "Head of Schools ICT, Northbridge Borough Council", f"g.parr@{LA_DOMAIN}"),
    ("northbridge.tech", "Sam", "Okoye", "Visiting technician, Northbridge Schools ICT", f"s.okoye@{LA_DOMAIN}"),
]
MIS_BY_SCHOOL = {"Oakfield": ("SIMS", "la_ict"), "Riverside": ("Arbor", "mis")}  # (name, who supports it)
SCHOOLS = [
    {
        "key": "oakfield",
        "domain": "oakfield.sch.uk",
        "school": {
            "name": "Oakfield Primary School",
            "short_name": "Oakfield",
            "urn": "119823",
            "phase": "primary",
            "governance": "maintained",
            "financial_year_start_month": 4,
            "roll_number": 238,
            "desk_email": "ictdesk@oakfield.sch.uk",
            "desk_phone": "01632 960431",
            "is_term_time_only": True,
            "spoc_days": "0,1,2,3",
            "spoc_from": time(8, 0),
            "spoc_until": time(15, 0),
            "deputy_from": time(8, 30),
            "deputy_until": time(15, 30),
        },
        "terms": [  # Northbridge's (LA) dates; the first and last day include the INSET days
            ("Autumn 2025", "2025-09-01", "2025-12-19", "2025-10-27", "2025-10-31"),
            ("Spring 2026", "2026-01-05", "2026-03-27", "2026-02-16", "2026-02-20"),
            ("Summer 2026", "2026-04-13", "2026-07-22", "2026-05-25", "2026-05-29"),
            ("Autumn 2026", "2026-09-01", "2026-12-18", "2026-10-26", "2026-10-30"),
            ("Spring 2027", "2027-01-04", "2027-03-25", "2027-02-15", "2027-02-19"),
            ("Summer 2027", "2027-04-12", "2027-07-21", "2027-05-31", "2027-06-04"),
        ],
        "inset_days": [
            "2025-09-01",
            "2025-09-02",
            "2026-01-05",
            "2026-04-13",
            "2026-07-22",
            "2026-09-01",
            "2026-09-02",
            "2027-01-04",
            "2027-04-12",
            "2027-07-21",
        ],
        "locations": [
            ("Mrs Brown's class (Year 2)", "Infant block"),
            ("Miss Hughes's class (Reception)", "Infant block"),
            ("Nursery", "Infant block"),
            ("Year 1 classroom", "Infant block"),
            ("Year 3 classroom", "Junior block"),
            ("Year 4 classroom", "Junior block"),
            ("Year 5 classroom", "Junior block"),
            ("Mr Ahmed's class (Year 6)", "Junior block"),
            ("Group room", "Junior block"),
            ("Kitchen", ""),
        ],
        "people": {
            "spoc": ("Sarah", "Whitfield", "School office manager"),
            "reporter": ("Emma", "Brown", "Year 2 class teacher"),
            "technician": ("Tom", "Hargreaves", "ICT technician (two days a week)"),
            "provider": ("Priya", "Shah", "Service desk analyst, Northbridge Schools ICT", LA_DOMAIN),
            "owner": ("David", "Okafor", "School business manager"),
            "viewer": ("Helen", "Marsh", "Headteacher"),
            "dpo": ("Nadia", "Kaur", "Data protection officer"),
            "dsl": ("Rachel", "Green", "Deputy headteacher and DSL"),
        },
        "staff": [
            ("Lucy", "Hughes", "Reception class teacher"),
            ("Imran", "Ahmed", "Year 6 class teacher"),
            ("Claire", "Dawson", "Year 4 class teacher"),
            ("Gemma", "Walsh", "Teaching assistant"),
            ("Peter", "Collins", "Year 5 class teacher"),
            ("Joanne", "Price", "SENCo"),
            ("Dave", "Wilson", "Site manager"),
            ("Amira", "Begum", "Office administrator"),
            ("Natalie", "Fox", "Nursery teacher"),
            ("Owen", "Jones", "Year 3 class teacher"),
        ],
    },
    {
        "key": "riverside",
        "domain": "riverside.sch.uk",
        "school": {
            "name": "Riverside Academy",
            "short_name": "Riverside",
            "urn": "143517",
            "phase": "secondary",
            "governance": "academy",
            "financial_year_start_month": 9,
            "roll_number": 1104,
            "desk_email": "ictsupport@riverside.sch.uk",
            "desk_phone": "01632 960872",
            "service_opens_at": time(7, 45),
            "service_closes_at": time(16, 45),
            "is_term_time_only": True,
            "spoc_days": "0,1,2,3,4",
            "spoc_from": time(7, 45),
            "spoc_until": time(16, 15),
            "deputy_from": time(8, 30),
            "deputy_until": time(16, 0),
        },
        "terms": [  # the academy's own dates: a two-week October half-term, summer ends on a Friday
            ("Autumn 2025", "2025-09-02", "2025-12-19", "2025-10-20", "2025-10-31"),
            ("Spring 2026", "2026-01-05", "2026-03-27", "2026-02-16", "2026-02-20"),
            ("Summer 2026", "2026-04-13", "2026-07-17", "2026-05-25", "2026-05-29"),
            ("Autumn 2026", "2026-09-02", "2026-12-18", "2026-10-19", "2026-10-30"),
            ("Spring 2027", "2027-01-04", "2027-03-25", "2027-02-15", "2027-02-19"),
            ("Summer 2027", "2027-04-12", "2027-07-16", "2027-05-31", "2027-06-04"),
        ],
        "inset_days": [
            "2025-09-02",
            "2025-09-03",
            "2025-11-14",
            "2026-01-05",
            "2026-06-15",
            "2026-09-02",
            "2026-09-03",
            "2026-11-13",
            "2027-01-04",
            "2027-06-14",
        ],
        "locations": [
            ("Room 12", "Main building"),
            ("Room 14", "Main building"),
            ("Room 21 (computing)", "Technology block"),
            ("Room 22 (computing)", "Technology block"),
            ("DT workshop", "Technology block"),
            ("Food technology room", "Technology block"),
            ("Science lab S3", "Science block"),
            ("Sports hall", "Sports centre"),
            ("Drama studio", "Arts block"),
            ("Exams office", "Main building"),
            ("Reprographics", "Main building"),
            ("Sixth form study centre", "Sixth form centre"),
            ("Learning support base", "Main building"),
            ("Canteen", "Main building"),
        ],
        "people": {
            "spoc": ("Karen", "Lloyd", "ICT service desk administrator"),
            "reporter": ("Daniel", "Evans", "Teacher of geography"),
            "technician": ("Marcus", "Reid", "ICT technician"),
            "provider": ("Ben", "Carter", "Field engineer, Northbridge Schools ICT", LA_DOMAIN),
            "owner": ("Angela", "Foster", "Director of business and operations"),
            "viewer": ("Mark", "Thompson", "Headteacher"),
            "dpo": ("Fiona", "Campbell", "Data protection officer"),
            "dsl": ("Simon", "Hale", "Assistant headteacher and DSL"),
        },
        "staff": [
            ("Sophie", "Turner", "Head of English"),
            ("Raj", "Patel", "Teacher of science"),
            ("Laura", "Bennett", "Teacher of maths"),
            ("Chris", "Morgan", "Head of design and technology"),
            ("Hannah", "Wright", "Teacher of PE"),
            ("Olu", "Adeyemi", "Head of computing"),
            ("Jenny", "Clarke", "Exams officer"),
            ("Michael", "O'Brien", "Head of Year 9"),
            ("Zara", "Hussain", "Teacher of drama"),
            ("Gareth", "Williams", "Teacher of music"),
            ("Kate", "Robinson", "Reprographics technician"),
            ("Tom", "Ellis", "Science technician"),
            ("Aisha", "Khan", "Attendance officer"),
            ("Paul", "Stevens", "Site manager"),
            ("Rebecca", "Shaw", "Librarian"),
            ("Liam", "Doyle", "Sixth form manager"),
        ],
    },
]
# Each kind of call: category, summaries (text, where: a location name, "room" for a classroom or None
# for anywhere), devices, the impacts and urgencies to choose from, second-level suppliers, fixes.
CALLS = [
    {
        "category": "Interactive panel, projector and AV",
        "impact": ["I2"],
        "urgency": ["U1", "U2", "U2"],
        "summaries": [
            ("Projector shows no picture", "room"),
            ("Projector switches itself off mid-lesson", "room"),
            ("Projector image is yellow and blurry", "room"),
            ("Interactive panel not responding to touch", "room"),
            ("No sound from the interactive panel", "room"),
            ("Visualiser not showing on the board", "room"),
            ("Hall projector will not connect to the laptop", "Hall"),
            ("Panel in the ICT suite stuck on the Android home screen", "ICT suite"),
        ],
        "devices": ["Projector", "Interactive panel", "Visualiser"],
        "supplier": ["reseller"],
        "fixes": [
            "Replaced the projector lamp and reset the lamp hours.",
            "Reseated the HDMI cable at the wall plate.",
            "Recalibrated the touch screen and updated the panel firmware.",
            "Cleaned the projector filter; it was overheating.",
            "Engineer replaced the touch frame under warranty.",
        ],
    },
    {
        "category": "Wi-Fi",
        "impact": ["I2", "I2", "I1"],
        "urgency": ["U1", "U2"],
        "summaries": [
            ("Wi-Fi keeps dropping in the hall", "Hall"),
            ("No Wi-Fi in the sports hall", "Sports hall"),
            ("iPads will not join the pupil Wi-Fi", "room"),
            ("Wi-Fi very slow in the library", "Library"),
            ("Trolley laptops cannot see the Wi-Fi", "Mobile (laptop trolley)"),
            ("Visitor Wi-Fi password not working", "Reception"),
        ],
        "devices": ["iPad", "Pupil laptop", "Chromebook", "Wireless access point"],
        "supplier": ["la_ict", "broadband"],
        "fixes": [
            "Rebooted the access point; devices reconnect.",
            "Replaced a failed access point.",
            "Pushed the Wi-Fi profile to the iPads again from the MDM.",
            "Moved the access point to a clearer channel.",
            "Reset the visitor Wi-Fi password and updated the sign in reception.",
        ],
    },
    {
        "category": "Printing and copying",
        "impact": ["I2", "I3"],
        "urgency": ["U2", "U3"],
        "summaries": [
            ("Office copier jams on every job", "School office"),
            ("Staff room printer says paper jam but there is none", "Staff room"),
            ("Cannot print from my laptop to the staff room copier", "Staff room"),
            ("Printer prints blank pages", "room"),
            ("Copier out of toner", "Reprographics"),
            ("Need a new toner for the library printer", "Library"),
        ],
        "devices": ["Office copier", "Staff room copier", "Classroom printer", "Library printer"],
        "supplier": ["reseller"],
        "fixes": [
            "Removed a torn label from the fuser; printing again.",
            "Replaced the toner cartridge.",
            "Re-added the printer on the laptop.",
            "Copier engineer replaced the pickup rollers.",
        ],
    },
    {
        "category": "MIS (management information system)",
        "impact": ["I3", "I2", "I1"],
        "urgency": ["U1", "U2"],
        "summaries": [
            ("Cannot log in to {mis}", None),
            ("{mis} register will not save this morning", "room"),
            ("{mis} very slow to load reports", "School office"),
            ("Attendance codes missing in {mis}", "School office"),
            ("{mis} parent app not showing the latest report", "School office"),
        ],
        "supplier": ["mis"],
        "fixes": [
            "Reset the {mis} password and unlocked the account.",
            "{mis} support fixed a sync fault on their side.",
            "Cleared the browser cache; {mis} loads normally.",
            "Added the missing permission group in {mis}.",
        ],
    },
    {
        "category": "Accounts and passwords",
        "impact": ["I3"],
        "urgency": ["U1", "U2"],
        "summaries": [
            ("Password reset for a pupil", "room"),
            ("Locked out of my account after half-term", None),
            ("Password expired and cannot change it", None),
            ("Supply teacher needs a login for today", "Reception"),
            ("Pupil cannot log in to Google Classroom", "room"),
            ("Two-factor code not arriving on my phone", None),
        ],
        "supplier": ["la_ict"],
        "fixes": [
            "Reset the password; signed in and changed it.",
            "Unlocked the account in Active Directory.",
            "Created a temporary supply account valid until 4pm.",
            "Re-registered the authenticator app.",
        ],
    },
    {
        "category": "Hardware fault",
        "impact": ["I3", "I3", "I2"],
        "urgency": ["U2", "U3"],
        "summaries": [
            ("Chromebook won't charge", "room"),
            ("Laptop screen cracked", "room"),
            ("PC in the ICT suite won't turn on", "ICT suite"),
            ("Keyboard missing keys", "ICT suite"),
            ("Teacher laptop very slow to start", "room"),
            ("Mouse not working on the office PC", "School office"),
            ("Laptop trolley not charging the laptops", "Mobile (laptop trolley)"),
        ],
        "devices": ["Chromebook", "Pupil laptop", "Teacher laptop", "Desktop PC", "Laptop trolley"],
        "supplier": ["reseller"],
        "fixes": [
            "Replaced the charger.",
            "Sent to the reseller for a screen replacement under warranty.",
            "Replaced the power supply.",
            "Replaced the keyboard from stock.",
            "Reimaged the laptop.",
        ],
    },
    {
        "category": "Network and internet",
        "impact": ["I1", "I2"],
        "urgency": ["U1", "U2"],
        "summaries": [
            ("Internet down across the school", None),
            ("Website needed for a lesson is blocked", "room"),
            ("Cannot reach the shared drive", None),
            ("Network point in the room is dead", "room"),
            ("CCTV not reachable from the office", "School office"),
        ],
        "devices": ["Network switch", "Wall network point"],
        "supplier": ["broadband", "la_ict"],
        "fixes": [
            "The router was replaced; service restored.",
            "Unblocked the site in the web filter.",
            "Re-patched the network point in the comms cabinet.",
            "Restarted the file server's sharing service.",
        ],
    },
    {
        "category": "Email",
        "impact": ["I3"],
        "urgency": ["U2", "U3"],
        "summaries": [
            ("Email not syncing on my phone", None),
            ("Cannot open an attachment from a parent", None),
            ("Shared office mailbox missing from Outlook", "School office"),
            ("Suspicious email asking for my password", None),
        ],
        "supplier": ["la_ict"],
        "fixes": [
            "Removed and re-added the account on the phone.",
            "Gave full access to the shared mailbox again.",
            "Reported the phishing email and blocked the sender.",
        ],
    },
    {
        "category": "Software",
        "impact": ["I2", "I3"],
        "urgency": ["U2", "U3"],
        "summaries": [
            ("Scratch crashes on the ICT suite PCs", "ICT suite"),
            ("Microsoft Office asks to activate", None),
            ("Phonics app not loading on the panel", "room"),
            ("Times Tables Rock Stars will not open", "room"),
            ("Windows updates stuck at 0%", None),
            ("CAD software licence expired", "DT workshop"),
        ],
        "devices": ["Desktop PC", "Teacher laptop", "Pupil laptop"],
        "supplier": ["la_ict", "reseller"],
        "fixes": [
            "Reinstalled the application.",
            "Re-activated Office with the school's licence.",
            "Cleared the update cache and installed the updates.",
            "Renewed the licence key.",
        ],
    },
    {
        "category": "Phones",
        "impact": ["I2"],
        "urgency": ["U1", "U2"],
        "summaries": [
            ("Phone in reception has no dial tone", "Reception"),
            ("Cannot transfer calls to the head's office", "Head teacher's office"),
            ("Voicemail full on the attendance line", "School office"),
        ],
        "devices": ["Desk phone"],
        "supplier": ["la_ict"],
        "fixes": [
            "Replaced the handset cable.",
            "Fixed the transfer group on the phone system.",
            "Cleared old voicemails.",
        ],
    },
    {
        "category": "Request: new equipment",
        "kind": "request",
        "impact": ["I3"],
        "urgency": ["U3"],
        "summaries": [
            ("New starter needs a laptop", None),
            ("Five more headphones for the ICT suite", "ICT suite"),
            ("Projector and microphone in the hall for the summer concert", "Hall"),
        ],
        "supplier": ["reseller"],
        "fixes": ["Delivered and set up.", "Ordered from the reseller and installed on arrival."],
    },
    {
        "category": "Request: software installation",
        "kind": "request",
        "impact": ["I3", "I2"],
        "urgency": ["U3"],
        "summaries": [
            ("Install Scratch 3 on the trolley laptops", "Mobile (laptop trolley)"),
            ("Install the exam board's software on the exams office PC", "Exams office"),
            ("Add the new reading scheme app to the iPads", "room"),
        ],
        "fixes": ["Installed and tested with the requester.", "Deployed through the management console."],
    },
    {
        "category": "Request: access or permissions",
        "kind": "request",
        "impact": ["I3"],
        "urgency": ["U2", "U3"],
        "summaries": [
            ("New member of staff needs an account and email", "School office"),
            ("Give the new teaching assistant access to the SEN folder", "SENCo room"),
            ("Disable a leaver's account", "School office"),
        ],
        "fixes": [
            "Account created; details given to the office.",
            "Access granted with the SENCo's approval.",
            "Account disabled and mailbox shared with the line manager.",
        ],
    },
]
RESTRICTED = [  # safeguarding (filtering) and data breach calls
    {
        "category": "Online safety and filtering",
        "impact": ["I2"],
        "urgency": ["U1"],
        "summaries": [
            ("Pupil reached an unsuitable website: the filter did not block it", "room"),
            ("Filtering alert: concerning search terms on a pupil account", "ICT suite"),
            ("Pupil logged in with a member of staff's account", "ICT suite"),
        ],
        "supplier": ["broadband"],
        "fixes": [
            "Site added to the block list; DSL informed and logs kept.",
            "DSL reviewed the alert; password reset.",
        ],
    },
    {
        "category": "Email",
        "impact": ["I3"],
        "urgency": ["U1"],
        "summaries": [
            ("Email with pupil reports sent to the wrong parent", "School office"),
            ("Staff laptop with pupil data lost on the way home", None),
        ],
        "supplier": ["la_ict"],
        "fixes": [
            "Recall requested and the recipient asked to delete; DPO logged the breach.",
            "Laptop remotely wiped; encryption confirmed; DPO logged the breach.",
        ],
    },
]
CHANNELS = {"web": 55, "email": 15, "phone": 12, "in_person": 8, "qr": 7, "technician": 3}
CALLERS = [
    "Supply teacher",
    "Visiting music teacher",
    "Cover supervisor",
    "Midday supervisor",
    "Governor on a visit",
    "Cleaning contractor",
    "Parent volunteer",
]
AVAILABILITY = [
    "{where}, all day",
    "{where}, after 3:15pm",
    "{where}, before 8:45am",
    "Free periods 3 and 4",
    "Lunchtime in the staff room",
    "Any time: phone the office",
    "{where}, at break",
]
CHECKED = [
    "Turned it off and on again.",
    "Checked the cables are plugged in.",
    "Tried another laptop.",
    "Logged out and back in.",
    "Nothing yet.",
]
LAST_WORKED = ["Yesterday", "This morning", "Last week", "Before half-term", "Not sure"]
WAIT_NOTES = {
    S.WAITING_REPORTER: [
        "Can you tell us the exact error message?",
        "When can we come to the room?",
        "Please send a photo of the screen.",
    ],
    S.WAITING_SUPPLIER: [
        "Supplier is ordering a replacement part.",
        "Engineer visit booked.",
        "Waiting for the supplier's second-line team.",
    ],
}
CANCEL_REASONS = [
    "It started working again.",
    "Logged twice by mistake.",
    "No longer needed.",
    "Sorted by the teacher before anyone came.",
]
THANKS = ["Working now, thank you!", "All fine, thanks.", "Thanks for the quick fix.", "Fix confirmed."]
