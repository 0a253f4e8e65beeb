"""The DfE digital and technology standards the desk can evidence, their parts, and the state of each part
for a set of schools, worked out from the desk's own records in a fixed number of queries (one per kind of
record) whatever the number of schools: the school's page and the LA's or trust's matrix read the same."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from schooldesk.accounts.mfa import SECOND_STEPS
from schooldesk.accounts.models import Membership
from schooldesk.assets.choices import PRESENT_STATUSES, AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.core.calendar import LONDON
from schooldesk.core.roles import RESTRICTED_ROLES, STAFF_ROLES
from schooldesk.incidents.models import Incident
from schooldesk.licences.models import Licence
from schooldesk.licences.selectors import compliance_by_school, with_compliance
from schooldesk.reports.dashboards import current_terms
from schooldesk.safeguarding.models import FilterReview
from schooldesk.standards.choices import CheckKind, CheckStatus, PartState
from schooldesk.suppliers.choices import IN_FORCE_STATUSES
from schooldesk.suppliers.models import ContractShare

YEAR_DAYS = 366
#: standards, each with its parts: (key, what the part asks, "record" or "statement")
STANDARDS = [
    (
        "it_support",
        gettext_lazy("IT support"),
        [
            (
                "requests_recorded",
                gettext_lazy("Every request is recorded and tracked against agreed response targets"),
                "record",
            ),
            (
                "annual_review",
                gettext_lazy("IT support reviewed in the last year, with a report of the findings"),
                "record",
            ),
        ],
    ),
    (
        "cyber",
        gettext_lazy("Cyber security"),
        [
            (
                "devices_recorded",
                gettext_lazy("Devices are known and recorded (a place or a person for each)"),
                "record",
            ),
            ("licences", gettext_lazy("Software is licensed"), "record"),
            (
                "patching",
                gettext_lazy("Security updates checked every month (high-risk patches within 14 days)"),
                "record",
            ),
            ("mfa", gettext_lazy("Accounts with access to personal data use multi-factor authentication"), "statement"),
            ("backup_checked", gettext_lazy("Backups checked every week this term"), "record"),
            ("backup_321", gettext_lazy("Backups follow 3-2-1 (three copies, two media, one off site)"), "statement"),
            ("restore_tested", gettext_lazy("Backup restore tested this term"), "record"),
            ("cyber_risk", gettext_lazy("Cyber risk assessment in the last year"), "record"),
            ("training", gettext_lazy("Staff cyber awareness training every year"), "statement"),
        ],
    ),
    (
        "broadband",
        gettext_lazy("Broadband internet"),
        [
            ("full_fibre", gettext_lazy("A full fibre connection"), "record"),
            ("backup_line", gettext_lazy("A backup broadband connection"), "record"),
        ],
    ),
    (
        "network",
        gettext_lazy("Network switching and wireless"),
        [
            ("unsupported", gettext_lazy("No equipment in use past the end of its maker's support"), "record"),
        ],
    ),
    (
        "filtering",
        gettext_lazy("Filtering and monitoring"),
        [
            ("filtering_reviewed", gettext_lazy("Filtering and monitoring reviewed in the last year"), "record"),
        ],
    ),
]
PART_LABELS = {key: label for _s, _l, parts in STANDARDS for key, label, _k in parts}
STATEMENT_PARTS = frozenset(PART_LABELS)  # a statement may be made on any part; it decides those not computed
STATEMENT_ONLY = frozenset(key for _s, _l, parts in STANDARDS for key, _label, kind in parts if kind == "statement")
KIND_OF_PART = {
    "restore_tested": CheckKind.RESTORE_TEST,
    "backup_checked": CheckKind.BACKUP_CHECK,
    "patching": CheckKind.PATCH_CHECK,
    "cyber_risk": CheckKind.CYBER_RISK,
    "filtering_reviewed": CheckKind.FILTERING_REVIEW,
}


@dataclass
class Part:
    key: str
    label: str
    state: str = PartState.UNKNOWN
    detail: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    as_of: date | None = None
    statement: object = None

    @property
    def state_label(self) -> str:
        return str(PartState(self.state).label)


def _since(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), tzinfo=LONDON)


def _records(school_ids: list[int], today: date) -> dict:
    """Everything the parts are worked out from: one query per kind of record."""
    from allauth.mfa.models import Authenticator

    from schooldesk.standards.choices import ReviewStatus
    from schooldesk.standards.models import AnnualReview, CheckItem, Statement

    calls = {
        row["school_id"]: row
        for row in Incident.objects.filter(school_id__in=school_ids, logged_at__gte=_since(today, 365))
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"), untargeted=Count("pk", filter=Q(response_due_at__isnull=True)))
    }
    in_school = ~Q(status=AssetStatus.DISPOSED)
    assets = {
        row["school_id"]: row
        for row in Asset.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id")
        .annotate(
            present=Count("pk", filter=Q(status__in=PRESENT_STATUSES)),
            unplaced=Count("pk", filter=Q(status__in=PRESENT_STATUSES, location__isnull=True, issued_to__isnull=True)),
            dated=Count("pk", filter=in_school & Q(support_ends_on__isnull=False)),
            unsupported=Count("pk", filter=in_school & Q(support_ends_on__lt=today)),
        )
    }
    licence_rows, _summary = compliance_by_school(
        with_compliance(Licence.objects.filter(school_id__in=school_ids), today)
    )
    lines = defaultdict(list)
    for row in (
        ContractShare.objects.filter(school_id__in=school_ids, contract__status__in=IN_FORCE_STATUSES)
        .values(
            "school_id",
            "contract_id",
            "contract__name",
            "contract__services",
            "contract__line_speed_mbps",
            "contract__line_is_full_fibre",
            "contract__line_is_backup",
        )
        .order_by("contract__name")
    ):
        if "broadband" in (row["contract__services"] or []) or row["contract__line_speed_mbps"]:
            lines[row["school_id"]].append(row)
    items = defaultdict(list)
    recent = Q(due_on__gte=today - timedelta(days=400)) | Q(status=CheckStatus.DONE, done_at__gte=_since(today, 400))
    for row in (
        CheckItem.objects.filter(
            recent, school_id__in=school_ids, due_on__lte=today, rule__kind__in=list(KIND_OF_PART.values())
        )
        .exclude(rule__kind=CheckKind.BACKUP_CHECK, due_on__lt=today - timedelta(days=130))
        .order_by("-due_on")
        .values("school_id", "pk", "rule__kind", "due_on", "status", "done_at")
    ):
        items[row["school_id"], row["rule__kind"]].append(row)
    statements = {}
    for statement in Statement.objects.filter(school_id__in=school_ids).order_by(
        "school_id", "part", "-made_on", "-created_at", "-id"
    ):
        statements.setdefault((statement.school_id, statement.part), statement)
    reviews = {}
    for row in (
        AnnualReview.objects.filter(
            school_id__in=school_ids, status=ReviewStatus.SIGNED, signed_at__gte=_since(today, YEAR_DAYS)
        )
        .order_by("school_id", "-signed_at")
        .values("school_id", "pk", "year", "signed_at")
    ):
        reviews.setdefault(row["school_id"], row)
    # the desk's own accounts that see calls and personal data: how many use two-step sign-in (decision 0032)
    second_step = Authenticator.objects.filter(user_id=OuterRef("user_id"), type__in=SECOND_STEPS)
    desk_mfa = {
        row["school_id"]: row
        for row in Membership.objects.filter(
            school_id__in=school_ids, role__in=list(STAFF_ROLES | RESTRICTED_ROLES), user__is_active=True
        )
        .order_by()
        .values("school_id")
        .annotate(
            people=Count("user_id", distinct=True),
            with_mfa=Count("user_id", distinct=True, filter=Exists(second_step)),
        )
    }
    filter_reviews = {}
    for row in (
        FilterReview.objects.filter(
            school_id__in=school_ids,
            dsl_signed_at__isnull=False,
            governor_signed_at__isnull=False,
            review_on__gte=today - timedelta(days=YEAR_DAYS),
            review_on__lte=today,
        )
        .order_by("school_id", "-review_on", "-pk")
        .values("school_id", "pk", "review_on")
    ):
        filter_reviews.setdefault(row["school_id"], row)  # the filtering register's latest signed-off review
    return {
        "calls": calls,
        "assets": assets,
        "licences": {r["school_id"]: r for r in licence_rows},
        "lines": lines,
        "items": items,
        "statements": statements,
        "reviews": reviews,
        "filter_reviews": filter_reviews,
        "desk_mfa": desk_mfa,
        "terms": current_terms(school_ids, today),
    }


def _item_link(row) -> tuple[str, str]:
    return (
        _("Check due %(day)s") % {"day": f"{row['due_on']:%d/%m/%Y}"},
        reverse("standards:item_detail", args=[row["pk"]]),
    )


def _done_within(rows, today: date, days: int):
    return next(
        (r for r in rows if r["status"] == CheckStatus.DONE and r["due_on"] >= today - timedelta(days=days)), None
    )


def _check_part(part: Part, rows: list[dict], today: date, *, days: int, missing: str) -> None:
    done = _done_within(rows, today, days)
    if done:
        part.state, part.as_of = PartState.MET, done["done_at"].astimezone(LONDON).date()
        part.detail = _("Done on %(day)s.") % {"day": f"{part.as_of:%d/%m/%Y}"}
        part.links.append(_item_link(done))
        return
    part.state = PartState.NOT_MET
    due = next(iter(rows), None)
    if due:
        part.detail = _("Due on %(day)s and not yet done.") % {"day": f"{due['due_on']:%d/%m/%Y}"}
        part.links.append(_item_link(due))
    else:
        part.detail = missing


def _filter_review(part: Part, review: dict | None) -> None:
    """The filtering register's yearly review, signed off by the DSL and a governor in the last year, is evidence
    too (schooldesk/safeguarding, decision 0023): the part is met by it or by the scheduled check, whichever is
    later, and links to both."""
    if review is None:
        return
    day = review["review_on"]
    link = (
        _("Filtering review of %(day)s") % {"day": f"{day:%d/%m/%Y}"},
        reverse("safeguarding:review_detail", args=[review["pk"]]),
    )
    if part.state == PartState.MET and part.as_of and part.as_of >= day:
        part.links.append(link)
        return
    part.state, part.as_of = PartState.MET, day
    part.detail = _("The filtering register's review of %(day)s, signed off by the DSL and a governor.") % {
        "day": f"{day:%d/%m/%Y}"
    }
    part.links.insert(0, link)


def _part(key: str, school, data: dict, today: date) -> Part:  # noqa: C901 - one branch per part, read as a list
    part = Part(key, str(PART_LABELS[key]), as_of=today)
    sid = school.pk
    items = lambda kind: data["items"].get((sid, kind), [])  # noqa: E731
    if key == "requests_recorded":
        calls = data["calls"].get(sid)
        part.links.append((_("Calls"), reverse("incidents:incident_list")))
        if not school.sla_targets:
            part.state, part.detail = PartState.NOT_MET, _("The school has no response targets.")
        elif not calls:
            part.detail = _("No calls recorded in the last year.")
        elif calls["untargeted"]:
            part.state = PartState.NOT_MET
            part.detail = ngettext(
                "%(n)s call of the last year has no response target.",
                "%(n)s calls of the last year have no response target.",
                calls["untargeted"],
            ) % {"n": calls["untargeted"]}
        else:
            part.state = PartState.MET
            part.detail = ngettext(
                "%(n)s call in the last year, each with its response target.",
                "%(n)s calls in the last year, each with its response target.",
                calls["n"],
            ) % {"n": calls["n"]}
    elif key == "annual_review":
        review = data["reviews"].get(sid)
        part.links.append((_("Annual review"), reverse("standards:review", args=[sid])))
        if review:
            part.state, part.as_of = PartState.MET, review["signed_at"].astimezone(LONDON).date()
            part.detail = _("Signed off on %(day)s.") % {"day": f"{part.as_of:%d/%m/%Y}"}
        else:
            part.state, part.detail = PartState.NOT_MET, _("No review signed off in the last year.")
    elif key in ("devices_recorded", "unsupported"):
        assets = data["assets"].get(sid) or {}
        part.links.append((_("Asset register"), reverse("assets:asset_list")))
        if key == "devices_recorded":
            if not assets.get("present"):
                part.detail = _("No devices in the asset register.")
            elif assets["unplaced"]:
                part.state = PartState.NOT_MET
                part.detail = ngettext(
                    "%(n)s device has neither a place nor a person.",
                    "%(n)s devices have neither a place nor a person.",
                    assets["unplaced"],
                ) % {"n": assets["unplaced"]}
            else:
                part.state = PartState.MET
                part.detail = ngettext(
                    "%(n)s device, each with a place or a person.",
                    "%(n)s devices, each with a place or a person.",
                    assets["present"],
                ) % {"n": assets["present"]}
        elif not assets.get("dated"):
            part.detail = _("No device has its end of support recorded.")
        elif assets["unsupported"]:
            part.state = PartState.NOT_MET
            part.detail = ngettext(
                "%(n)s device is past the end of its support and not disposed of.",
                "%(n)s devices are past the end of their support and not disposed of.",
                assets["unsupported"],
            ) % {"n": assets["unsupported"]}
        else:
            part.state, part.detail = PartState.MET, _("Every device with a support date is still supported.")
    elif key == "licences":
        row = data["licences"].get(sid)
        part.links.append((_("Licence compliance"), reverse("licences:compliance")))
        if not row or not row["licences"]:
            part.detail = _("No licences recorded.")
        elif row["under"] or row["expired"]:
            part.state = PartState.NOT_MET
            part.detail = _("%(under)s under-licensed, %(expired)s expired.") % row
        else:
            part.state = PartState.MET
            part.detail = ngettext(
                "%(n)s licence, none short or expired.", "%(n)s licences, none short or expired.", row["licences"]
            ) % {"n": row["licences"]}
    elif key in ("full_fibre", "backup_line"):
        lines = data["lines"].get(sid, [])
        part.links += [
            (row["contract__name"], reverse("suppliers:contract_detail", args=[row["contract_id"]])) for row in lines
        ]
        wanted = "contract__line_is_backup" if key == "backup_line" else "contract__line_is_full_fibre"
        found = [row for row in lines if row[wanted]]
        if not lines:
            part.detail = _("No broadband contract recorded.")
        elif found:
            part.state = PartState.MET
            speeds = ", ".join(
                f"{row['contract__line_speed_mbps']} Mbps" for row in found if row["contract__line_speed_mbps"]
            )
            part.detail = (
                _("%(name)s (%(speed)s).") % {"name": found[0]["contract__name"], "speed": speeds}
                if speeds
                else _("%(name)s.") % {"name": found[0]["contract__name"]}
            )
        else:
            part.state = PartState.NOT_MET
            part.detail = (
                _("No backup line among the broadband contracts.")
                if key == "backup_line"
                else _("No broadband contract is for a full fibre line.")
            )
    elif key == "restore_tested":
        term = data["terms"][sid]
        rows = [r for r in items(CheckKind.RESTORE_TEST) if term.start <= r["due_on"] <= term.end]
        _check_part(
            part,
            rows,
            today,
            days=400,
            missing=_("No restore test has come due in %(term)s.") % {"term": term.label},
        )
        if part.state == PartState.MET:
            part.detail = _("Done on %(day)s, in %(term)s.") % {"day": f"{part.as_of:%d/%m/%Y}", "term": term.label}
    elif key == "backup_checked":
        term = data["terms"][sid]
        rows = [r for r in items(CheckKind.BACKUP_CHECK) if term.start <= r["due_on"] <= term.end]
        missed = [r for r in rows if r["status"] != CheckStatus.DONE and r["due_on"] < today]
        done = [r for r in rows if r["status"] == CheckStatus.DONE]
        if missed:
            part.state = PartState.NOT_MET
            part.detail = ngettext(
                "%(n)s weekly check missed this term.", "%(n)s weekly checks missed this term.", len(missed)
            ) % {"n": len(missed)}
            part.links += [_item_link(r) for r in missed[:3]]
        elif done:
            part.state, part.as_of = PartState.MET, done[0]["done_at"].astimezone(LONDON).date()
            part.detail = ngettext(
                "%(n)s weekly check done this term.", "%(n)s weekly checks done this term.", len(done)
            ) % {"n": len(done)}
            part.links.append(_item_link(done[0]))
        else:
            part.detail = _("No weekly backup check has come due this term.")
    elif key == "patching":
        _check_part(
            part, items(CheckKind.PATCH_CHECK), today, days=45, missing=_("No monthly patch check has come due.")
        )
    elif key == "cyber_risk":
        _check_part(
            part,
            items(CheckKind.CYBER_RISK),
            today,
            days=YEAR_DAYS,
            missing=_("No cyber risk assessment has come due in the last year."),
        )
    elif key == "filtering_reviewed":
        _check_part(
            part,
            items(CheckKind.FILTERING_REVIEW),
            today,
            days=YEAR_DAYS,
            missing=_("No filtering and monitoring review has come due in the last year."),
        )
        _filter_review(part, data["filter_reviews"].get(sid))
    statement = data["statements"].get((sid, key))
    part.statement = statement
    if statement is not None and (key in STATEMENT_ONLY or part.state == PartState.UNKNOWN):
        part.state, part.as_of = statement.state, statement.made_on
        part.detail = _("Stated by %(name)s on %(day)s.") % {
            "name": statement.made_by_name,
            "day": f"{statement.made_on:%d/%m/%Y}",
        }
    elif key in STATEMENT_ONLY:
        part.detail, part.as_of = _("The desk cannot check this: the ICT owner or the SPOC states it."), None
    if key == "mfa" and (desk := data["desk_mfa"].get(sid)):
        # the desk's own staff accounts, as a fact beside the statement: the standard covers every system with
        # personal data (the MIS, email), which the desk cannot see, so its own accounts do not decide the part
        part.detail += " " + ngettext(
            "In SchoolDesk, %(with_mfa)s of %(people)s staff account uses two-step sign-in.",
            "In SchoolDesk, %(with_mfa)s of %(people)s staff accounts use two-step sign-in.",
            desk["people"],
        ) % {"with_mfa": desk["with_mfa"], "people": desk["people"]}
        part.links.append((_("People and their two-step sign-in"), reverse("people_list")))
    return part


def standards_states(schools, today: date) -> dict[int, list[dict]]:
    """For each school: the standards, each with its parts worked out (a fixed number of queries)."""
    schools = list(schools)
    if not schools:
        return {}
    data = _records([s.pk for s in schools], today)
    return {
        school.pk: [
            {
                "key": key,
                "label": str(label),
                "parts": [_part(part_key, school, data, today) for part_key, _l, _k in parts],
            }
            for key, label, parts in STANDARDS
        ]
        for school in schools
    }
