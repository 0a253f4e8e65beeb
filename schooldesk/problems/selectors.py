"""Reads for problems, known errors and problem candidates, each in a fixed number of queries."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext

from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON, ServiceCalendar
from schooldesk.core.calendar import Term as CalendarTerm
from schooldesk.core.periods import period_bounds
from schooldesk.core.roles import DESK_ROLES
from schooldesk.incidents.choices import ACTIVE_STATUSES, IncidentKind, IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.problems.choices import (
    DEFAULT_CANDIDATE_CALLS,
    DEFAULT_CANDIDATE_DAYS,
    PROBLEM_ROLES,
    CandidateBasis,
    ProblemStatus,
    WorkaroundAudience,
)
from schooldesk.problems.models import Problem, ProblemIncident, ProblemNote, ProblemSettings
from schooldesk.schools.models import Closure, School, Term

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

LIST_RELATED = ("school", "category", "location", "asset", "assigned_to")
CANDIDATE_LIMIT = 30
SUGGESTION_LIMIT = 5
#: the most calls a candidates page reads (the newest), whatever the number of schools
CANDIDATE_CALLS_READ = 2000
THEME_KEY_LENGTH = 100
#: words too common to say two calls are about the same thing
STOP_WORDS = frozenset(
    """
about after again also been being cannot could does doing done from have having into just keeps like more most
much need needs only other please really same says some still than that their them then there these they thing
this those through today very want wants when which while will with without work working works would your
""".split()
)
#: words that do not say what a call is about: short common words and symptoms any fault can have
CANDIDATE_STOP_WORDS = STOP_WORDS | frozenset(
    """
a am an and any anymore are as at be but by can cannot cant come comes could couldnt did didnt do does doesnt
dont for from get gets getting got had has hasnt have he her his how i if im in is isnt it its ive me my no not
now of off ok on or our out over she so the to too up us was wasnt we were what who why wont you
again all always anything broke broken down error every fault faulty fix fixed help issue keep not problem
slow stopped urgent wrong
""".split()
)


def problem_school_ids(*, user: User) -> list[int]:
    """The schools whose problems this person works: the choices of a new problem's school."""
    return access_for(user).school_ids(PROBLEM_ROLES)


def problem_list(*, user: User) -> QuerySet[Problem]:
    """The problems a person may see, newest first."""
    return (
        Problem.objects.visible_to(user)
        .select_related(*LIST_RELATED)
        .annotate(call_count=Count("links", distinct=True))
        .order_by("-created_at", "-pk")
    )


def problem_get(*, user: User, pk: int) -> Problem:
    return (
        Problem.objects.visible_to(user).select_related(*LIST_RELATED, "raised_by", "school__organisation").get(pk=pk)
    )


def problem_notes(*, problem: Problem) -> QuerySet[ProblemNote]:
    return ProblemNote.objects.filter(problem=problem).select_related("author")


def problem_calls(*, user: User, problem: Problem) -> dict:
    """The linked calls this person may see, and how many others (restricted) there are."""
    links = list(
        ProblemIncident.objects.filter(problem=problem, incident__in=Incident.objects.visible_to(user))
        .select_related("incident__location", "incident__assigned_to", "workaround_sent_by")
        .order_by("-incident__logged_at")
    )
    total = ProblemIncident.objects.filter(problem=problem).count()
    open_calls = sum(1 for link in links if link.incident.status in ACTIVE_STATUSES)
    return {"links": links, "hidden": total - len(links), "open": open_calls}


def call_for_problem(*, user: User, pk: int) -> Incident | None:
    """A call a problem is raised from: one of the schools whose problems this person works, that they may see."""
    return (
        Incident.objects.visible_to(user)
        .filter(pk=pk, school_id__in=problem_school_ids(user=user))
        .select_related("asset", "school")
        .first()
    )


def call_of_problem(*, user: User, problem: Problem, pk: int) -> Incident | None:
    """A call of the problem's own school that this person may see (to unlink it, or give it the workaround)."""
    return Incident.objects.visible_to(user).filter(pk=pk, school_id=problem.school_id).first()


def call_visible(*, user: User, pk: int) -> Incident | None:
    return Incident.objects.visible_to(user).filter(pk=pk).first()


def problems_for_incident(*, user: User, incident: Incident) -> list[Problem]:
    return list(Problem.objects.visible_to(user).filter(links__incident=incident).order_by("-created_at"))


# --- problem candidates (repeat calls) -----------------------------------------------------------
def calendars_for(school_ids) -> dict[int, ServiceCalendar]:
    """Each school's service calendar, built from three queries whatever the number of schools."""
    closed: dict[int, set[date]] = defaultdict(set)
    for school_id, starts_on, ends_on in Closure.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "starts_on", "ends_on"
    ):
        day = starts_on
        while day <= ends_on:
            closed[school_id].add(day)
            day += timedelta(days=1)
    terms: dict[int, list] = defaultdict(list)
    for row in Term.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"
    ):
        terms[row[0]].append(CalendarTerm(*row[1:]))
    return {
        school.pk: ServiceCalendar(
            opens_at=school.service_opens_at,
            closes_at=school.service_closes_at,
            nation=school.nation,
            closed_dates=frozenset(closed[school.pk]),
            term_time_only=school.is_term_time_only,
            terms=tuple(terms[school.pk]),
        )
        for school in School.objects.filter(pk__in=school_ids)
    }


def window_start(calendar: ServiceCalendar, days: int, now: datetime) -> datetime:
    """The opening of the school day `days` school days back, counting today when it is a school day."""
    day, counted = now.astimezone(LONDON).date(), 0
    for _ in range(3 * 366):
        if calendar.is_service_day(day):
            counted += 1
            if counted >= days:
                return calendar.window(day)[0]
        day -= timedelta(days=1)
    return calendar.window(day)[0]


def candidate_settings(school_ids) -> dict[int, tuple[int, int]]:
    found = {
        s.school_id: (s.candidate_calls, s.candidate_days)
        for s in ProblemSettings.objects.filter(school_id__in=school_ids)
    }
    return {pk: found.get(pk, (DEFAULT_CANDIDATE_CALLS, DEFAULT_CANDIDATE_DAYS)) for pk in school_ids}


def _windows(school_ids, now) -> tuple[dict, dict]:
    settings = candidate_settings(school_ids)
    calendars = calendars_for(school_ids)
    starts = {pk: window_start(calendars[pk], settings[pk][1], now) for pk in calendars}
    return settings, starts


def _repeat_calls(user, school_ids, starts):
    """Faults (not requests) in each school's window, not cancelled, duplicates or already linked to a problem."""
    window = Q(pk__in=[])
    for school_id, start in starts.items():
        window |= Q(school_id=school_id, logged_at__gte=start)
    return (
        Incident.objects.visible_to(user)
        .filter(school_id__in=school_ids, kind=IncidentKind.INCIDENT)
        .filter(window)
        .exclude(status__in=(IncidentStatus.CANCELLED, IncidentStatus.DUPLICATE))
        .exclude(Exists(ProblemIncident.objects.filter(incident=OuterRef("pk"))))
        .annotate(device_key=Lower(Trim("device")))
    )


#: basis → (its calls, the column its rows are grouped by); one device says more than one room, one room more
#: than a kind of device across the school (the order of CandidateBasis)
def _groupings(calls):
    return {
        CandidateBasis.ASSET: (calls.filter(asset__isnull=False), "asset_id"),
        CandidateBasis.DEVICE: (calls.filter(asset__isnull=True).exclude(device_key=""), "device_key"),
        CandidateBasis.LOCATION: (calls, "location_id"),
        CandidateBasis.ASSET_TYPE: (calls.filter(asset__isnull=False), "asset__asset_type_id"),
    }


def _condition(basis: str, key) -> Q:
    if basis == CandidateBasis.DEVICE:
        return Q(asset__isnull=True, device_key=str(key).strip().lower())
    if basis == CandidateBasis.ASSET_TYPE:
        return Q(asset__asset_type_id=int(key))
    return Q(**{f"{basis}_id": int(key)})


def _scope_key(call, basis: str):
    if basis == CandidateBasis.DEVICE:
        return call.device.strip().lower() if call.asset_id is None and call.device.strip() else None
    if basis == CandidateBasis.ASSET_TYPE:
        return call.asset.asset_type_id if call.asset_id else None
    return getattr(call, f"{basis}_id")


def _scope_words(call, basis: str) -> frozenset[str]:
    """The words that name the scope itself: in Room 4, "room" says nothing about what is wrong."""
    if basis == CandidateBasis.DEVICE:
        return summary_words(call.device)
    if basis == CandidateBasis.LOCATION:
        return summary_words(call.location.name)
    return summary_words(call.asset.asset_type.name) if call.asset_id else frozenset()


def _scope_label(call, basis: str) -> str:
    return {
        CandidateBasis.ASSET: lambda: f"{call.asset.tag} {call.asset.description}".strip(),
        CandidateBasis.DEVICE: lambda: call.device.strip(),
        CandidateBasis.LOCATION: lambda: str(call.location),
        CandidateBasis.ASSET_TYPE: lambda: call.asset.asset_type.name,
    }[basis]()


def _label(calls, basis: str, theme: frozenset[str]) -> str:
    """What the calls say, in the words of the latest of them, and where or on what."""
    said = " ".join(dict.fromkeys(word for word, folded in summary_tokens(calls[0].summary) if folded in theme))
    scope = _scope_label(calls[0], basis)
    if basis == CandidateBasis.LOCATION:
        return gettext("“%(said)s” in %(scope)s") % {"said": said, "scope": scope}
    if basis == CandidateBasis.ASSET_TYPE:
        return gettext("“%(said)s” on any %(scope)s") % {"said": said, "scope": scope}
    return gettext("“%(said)s” on %(scope)s") % {"said": said, "scope": scope}


def _themes(calls, basis: str, needed: int) -> list[tuple[frozenset[str], list]]:
    """Calls of one scope that say the same thing: for every word at least `needed` calls share, those calls
    and every word they all share. A group that holds a tighter group is left out, so that "projector bulb
    gone" three times and "projector remote missing" three times are two candidates, not one about projectors."""
    ignore = _scope_words(calls[0], basis)
    words = {call.pk: summary_words(call.summary) - ignore for call in calls}
    having: dict[str, set[int]] = defaultdict(set)
    for pk, said in words.items():
        for word in said:
            having[word].add(pk)
    groups = {frozenset(pks) for pks in having.values() if len(pks) >= needed}
    tightest = [g for g in groups if not any(other < g for other in groups)]
    by_pk = {call.pk: call for call in calls}
    found = []
    for group in tightest:
        members = sorted((by_pk[pk] for pk in group), key=lambda c: c.logged_at, reverse=True)
        found.append((frozenset.intersection(*(words[pk] for pk in group)), members))
    return found


def _key(scope_key, theme: frozenset[str]) -> str:
    words = []
    for word in sorted(theme):  # bounded for the form's hidden field; a call must still hold every word kept
        if len(" ".join([*words, word])) > THEME_KEY_LENGTH:
            break
        words.append(word)
    return f"{scope_key}|{' '.join(words)}"


def problem_candidates(*, user: User, school: School | None = None, now: datetime | None = None) -> list[dict]:
    """Repeat calls that say the same thing (the words of their summaries) on one device, in one place or on
    one kind of device, within each school's number of school days. One grouped query per basis finds the
    devices, places and kinds with enough calls; one query reads those calls (at most CANDIDATE_CALLS_READ,
    the newest); their words are compared in Python."""
    now = now or timezone.now()
    school_ids = problem_school_ids(user=user)
    if school is not None:
        school_ids = [pk for pk in school_ids if pk == school.pk]
    if not school_ids:
        return []
    settings, starts = _windows(school_ids, now)
    calls = _repeat_calls(user, school_ids, starts)
    lowest = min(calls_needed for calls_needed, _days in settings.values())
    names = dict(School.objects.filter(pk__in=school_ids).values_list("pk", "name"))
    scopes, wanted = set(), Q(pk__in=[])
    for basis, (queryset, key) in _groupings(calls).items():
        rows = (
            queryset.values("school_id", key)
            .annotate(n=Count("pk"), last=Max("logged_at"))
            .filter(n__gte=lowest)
            .order_by("-n", "-last")
        )
        for row in rows[: CANDIDATE_LIMIT * 4]:
            if row["n"] >= settings[row["school_id"]][0]:
                scopes.add((row["school_id"], basis, str(row[key])))
                wanted |= Q(school_id=row["school_id"]) & _condition(basis, row[key])
    if not scopes:
        return []
    grouped = defaultdict(list)
    for call in (
        calls.filter(wanted)
        .select_related("location", "asset__asset_type")
        .order_by("-logged_at")[:CANDIDATE_CALLS_READ]
    ):
        for basis in CandidateBasis.values:
            scope_key = _scope_key(call, basis)
            if scope_key is not None and (call.school_id, basis, str(scope_key)) in scopes:
                grouped[call.school_id, basis, scope_key].append(call)
    found, seen = [], set()
    order = {basis: n for n, basis in enumerate(CandidateBasis.values)}
    for (school_id, basis, scope_key), scope_calls in sorted(grouped.items(), key=lambda item: order[item[0][1]]):
        needed, days = settings[school_id]
        for theme, members in _themes(scope_calls, basis, needed):
            same_calls = (school_id, frozenset(c.pk for c in members))
            if same_calls in seen:  # already a candidate on a more specific basis
                continue
            seen.add(same_calls)
            found.append(
                {
                    "school_id": school_id,
                    "school_name": names[school_id],
                    "basis": basis,
                    "basis_label": CandidateBasis(basis).label,
                    "key": _key(scope_key, theme),
                    "label": _label(members, basis, theme),
                    "count": len(members),
                    "first": members[-1].logged_at,
                    "last": members[0].logged_at,
                    "days": days,
                    "calls": members[:12],
                }
            )
    found.sort(key=lambda c: (order[c["basis"]], -c["count"], -c["last"].timestamp()))
    return found[:CANDIDATE_LIMIT]


def candidate_calls(*, user: User, school: School, basis: str, key, now: datetime | None = None) -> tuple[list, str]:
    """The calls of one candidate (for raising a problem from them), newest first, and its label."""
    scope_key, _bar, theme = str(key).rpartition("|")
    theme = frozenset(theme.split())
    if (
        basis not in CandidateBasis.values
        or not theme
        or not scope_key
        or (basis != CandidateBasis.DEVICE and not scope_key.isdigit())
    ):
        return [], ""
    now = now or timezone.now()
    _settings, starts = _windows([school.pk], now)
    scope_calls = list(
        _repeat_calls(user, [school.pk], starts)
        .filter(_condition(basis, scope_key))
        .select_related("location", "asset__asset_type")
        .order_by("-logged_at")[:CANDIDATE_CALLS_READ]
    )
    if not scope_calls:
        return [], ""
    ignore = _scope_words(scope_calls[0], basis)
    calls = [c for c in scope_calls if theme <= summary_words(c.summary) - ignore]
    return calls, _label(calls, basis, theme) if calls else ""


# --- the words of a call ---------------------------------------------------------------------------
def _singular(word: str) -> str:
    """Simple plural folding: pages → page, batteries → battery, switches → switch; class and status stay."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zzes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def summary_tokens(text: str) -> list[tuple[str, str]]:
    """(word as written; the word folded) for each word that can say what is wrong: capitals do not count,
    Wi-Fi and wifi are one word, numbers and stop words are left out."""
    out = []
    for raw in re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", text or "", flags=re.IGNORECASE):
        word = re.sub(r"['’-]", "", raw.lower())
        folded = _singular(word)
        if len(word) < 2 or word.isdigit() or {word, folded} & CANDIDATE_STOP_WORDS:
            continue
        out.append((raw, folded))
    return out


def summary_words(text: str) -> frozenset[str]:
    return frozenset(folded for _raw, folded in summary_tokens(text))


# --- known errors offered while a call is logged or triaged --------------------------------------
def words_in(text: str) -> list[str]:
    return [
        w for w in dict.fromkeys(re.findall(r"[a-z0-9][a-z0-9'-]{3,}", (text or "").lower())) if w not in STOP_WORDS
    ][:8]


def known_error_suggestions(
    *,
    user: User,
    location_id=None,
    category_id=None,
    asset_id=None,
    text: str = "",
    school_ids=None,
    limit: int = SUGGESTION_LIMIT,
) -> list[Problem]:
    """Known errors that look like this call: same device, place or category, or words in common; the
    best matches first. The desk and technicians see every known error of their schools; anyone else
    only those whose workaround a reporter may apply."""
    access = access_for(user)
    staff = set(access.school_ids(PROBLEM_ROLES))
    everyone = set(access.school_ids())
    if school_ids is not None:
        staff, everyone = staff & set(school_ids), everyone & set(school_ids)
    if not everyone:
        return []
    words = words_in(text)
    signals = []
    if asset_id:
        signals.append(Q(asset_id=asset_id))
    if location_id:
        signals.append(Q(location_id=location_id))
    if category_id:
        signals.append(Q(category_id=category_id))
    for word in words:
        signals.append(Q(title__icontains=word) | Q(symptoms__icontains=word))
    if not signals:
        return []
    matching = signals[0]
    for signal in signals[1:]:
        matching |= signal
    audience = Q(school_id__in=staff) | Q(
        school_id__in=everyone - staff, workaround_audience=WorkaroundAudience.REPORTER
    )
    rows = list(
        Problem.objects.filter(audience, status=ProblemStatus.KNOWN_ERROR)
        .exclude(workaround="")
        .filter(matching)
        .select_related("location", "category", "asset")
        .order_by("-known_error_at")[:50]
    )

    def score(problem) -> int:
        text = f"{problem.title} {problem.symptoms}".lower()
        points = sum(1 for word in words if word in text)
        points += 4 * bool(asset_id and problem.asset_id == int(asset_id))
        points += 2 * bool(location_id and problem.location_id == int(location_id))
        points += 2 * bool(category_id and problem.category_id == int(category_id))
        return points

    for problem in rows:
        problem.match_score = score(problem)
    rows = [p for p in rows if p.match_score >= 2 or (p.match_score and not words)]
    rows.sort(key=lambda p: -p.match_score)
    return rows[:limit]


def known_errors_given(*, incident: Incident) -> set[int]:
    """The problems whose workaround was already given to this call."""
    return set(
        ProblemIncident.objects.filter(incident=incident, workaround_sent_at__isnull=False).values_list(
            "problem_id", flat=True
        )
    )


def problem_overdue(queryset, today: date | None = None):
    return queryset.filter(
        status__in=(ProblemStatus.OPEN, ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR),
        due_on__lt=today or timezone.localdate(),
    )


# --- the problem report --------------------------------------------------------------------------
def problem_report(*, user: User, start: date, end: date, school: School | None = None) -> dict:
    """Raised, resolved and known errors in the period, time to resolve and calls per problem: SQL aggregates.
    `rows` (a queryset) holds every problem raised, made a known error or resolved in the period."""
    begin, finish = period_bounds(start, end)
    problems = Problem.objects.reportable_by(user)
    if school is not None:
        problems = problems.filter(school=school)

    def within(field):
        return Q(**{f"{field}__gte": begin, f"{field}__lt": finish})

    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    totals = problems.aggregate(
        raised=Count("pk", filter=within("created_at")),
        resolved=Count("pk", filter=within("resolved_at")),
        known_errors=Count("pk", filter=within("known_error_at")),
        open_now=Count(
            "pk", filter=Q(status__in=(ProblemStatus.OPEN, ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR))
        ),
        known_errors_now=Count("pk", filter=Q(status=ProblemStatus.KNOWN_ERROR)),
        avg_resolve=Avg(took, filter=within("resolved_at")),
    )
    raised = problems.filter(within("created_at"))
    calls = ProblemIncident.objects.filter(problem__in=raised).aggregate(
        n=Count("pk"), problems=Count("problem", distinct=True)
    )
    totals["calls"] = calls["n"]
    totals["calls_per_problem"] = round(calls["n"] / totals["raised"], 1) if totals["raised"] else None
    in_period = within("created_at") | within("known_error_at") | within("resolved_at")
    rows = (
        problems.filter(in_period)
        .select_related("school", "category")
        .annotate(calls=Count("links", distinct=True), time_to_resolve=took)
        .order_by("-created_at", "-pk")
    )
    status_labels = dict(ProblemStatus.choices)
    by_status = [
        {"key": status_labels.get(r["status"], r["status"]), "n": r["n"]}
        for r in raised.values("status").annotate(n=Count("pk")).order_by("-n", "status")
    ]
    by_category = [
        {"key": r["category__name"] or "–", "n": r["n"]}
        for r in raised.values("category__name").annotate(n=Count("pk")).order_by("-n", "category__name")
    ]
    return {
        "start": start,
        "end": end,
        "school": school,
        "totals": totals,
        "rows": rows,
        "tables": [
            ("status", "Problems raised, by status now", by_status),
            ("category", "Problems raised, by category", by_category),
        ],
    }


def candidate_settings_school_ids(*, user: User) -> list[int]:
    """The schools whose repeat-call settings this person may change (the desk's)."""
    return access_for(user).school_ids(DESK_ROLES)
