"""The service report's tables, built once for the page, the PDF, CSV and XLSX as `core.tables.Table`s (decision
0039). Values stay numbers and dates (formatted by the page, kept as numbers in a spreadsheet); each column's
format says how to show it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schooldesk.core.audit import actor_name, audit_sentence, kind_of
from schooldesk.core.tables import Column, Table, many_schools
from schooldesk.core.templatetags.desk_format import percent

#: the incident report as CSV: rows (table, item, calls), the totals first (reports.views.IncidentReportView)
INCIDENT_REPORT_EXPORT = Table(columns=[Column("table"), Column("item"), Column("calls", format="int")])

#: the audit trail's moment, the same on its page and in its download
AUDIT_WHEN = Column(gettext_lazy("When"), "at", "datetime", cell_css="text-nowrap")

#: the audit trail's download: rows are AuditEntry rows (reports.selectors.audit_trail, filtered)
AUDIT_EXPORT = Table(
    sheet=gettext_lazy("Audit trail"),
    columns=[
        AUDIT_WHEN,
        Column(gettext_lazy("School"), lambda e: e.school.name if e.school_id else ""),
        Column(gettext_lazy("Who"), actor_name),
        Column(gettext_lazy("What happened"), audit_sentence),
        Column(gettext_lazy("Kind of record"), lambda e: kind_of(e.object_type)),
        Column(gettext_lazy("Record"), "object_label"),
        Column(gettext_lazy("Details"), "summary"),
    ],
)

#: the audit trail's page (reports/audit_trail.html): rows are AuditEntry rows with their `sentence` and `link`
#: (AuditTrailView); the School column only to people in more than one school
AUDIT_PAGE = Table(
    caption=gettext_lazy("Audit trail"),
    css="table table-sm table-responsive-stack",
    columns=[
        AUDIT_WHEN,
        Column(gettext_lazy("School"), cell="reports/cells/audit_school.html", when=many_schools),
        Column(gettext_lazy("What happened"), cell="reports/cells/audit_what.html"),
    ],
)


def _cols(report: dict, fmt: str = "int") -> list[Column]:
    return [Column(label, format=fmt) for _tag, label in report["columns"]]


def _compared(report: dict, figures: dict, rows: list[tuple[str, str, str]]) -> list[list]:
    """One row per measure, one column per period; a measure known only now is blank before."""
    tags = [tag for tag, _p in report["periods"]]
    return [
        [label, *[figures.get(tag, {}).get(name) if tag == "now" or not now_only else None for tag in tags]]
        for name, label, now_only in rows
    ]


def build_tables(report: dict) -> dict[str, list[Table]]:
    return {
        "reactive": reactive_tables(report),
        "proactive": proactive_tables(report),
        "change": change_tables(report),
        "suppliers": supplier_tables(report),
        "spend": spend_tables(report),
        "schools": school_tables(report) if report["multi"] else [],
    }


def reactive_tables(report: dict) -> list[Table]:
    r = report["reactive"]
    totals = r["totals"]
    measures = Table("calls", _("Calls compared"), [Column(_("Measure")), *_cols(report, "num")])
    measures.rows = _compared(
        report,
        totals,
        [
            ("calls", _("Calls logged"), False),
            ("incidents", _("Faults"), False),
            ("requests", _("Requests"), False),
            ("major", _("Critical (P1) calls"), False),
            ("response_rate", _("Answered within target (%)"), False),
            ("resolve_rate", _("Fixed within target (%)"), False),
            ("open_late", _("Still open past target"), False),
            ("at_desk_rate", _("Solved by the service desk (% of fixed)"), False),
            ("at_first_rate", _("Solved by technicians, first level (% of fixed)"), False),
            ("at_second_rate", _("Solved by suppliers, second level (% of fixed)"), False),
            ("rated", _("Ratings given (good / OK / poor)"), False),
            ("satisfied_rate", _("Rated good (% of ratings)"), False),
            ("poor_rate", _("Rated poor (% of ratings)"), False),
            ("restricted", _("Data protection or safeguarding calls (count only)"), False),
        ],
    )
    priority = Table(
        "priority",
        _("Calls by priority, and targets met"),
        [
            Column(_("Priority")),
            *_cols(report),
            Column(_("Answered within target (%)"), format="pct"),
            Column(_("Fixed within target (%)"), format="pct"),
        ],
    )
    priority.rows = [
        [row["label"], *[row[f"n_{tag}"] for tag, _p in report["periods"]], row["response_rate"], row["resolve_rate"]]
        for row in r["priority"]
    ]
    tags = [tag for tag, _p in report["periods"]]
    category = Table("category", _("Calls by category"), [Column(_("Category")), *_cols(report)])
    category.rows = [[row["label"], *[row[tag] for tag in tags]] for row in r["category"]]
    location = Table("location", _("Calls by location"), [Column(_("Location")), *_cols(report)])
    location.rows = [[row["label"], *[row[tag] for tag in tags]] for row in r["location"]]
    now = totals["now"]
    level = Table(
        "support_level",
        _("Who put calls right"),
        [Column(_("Solved by")), Column(_("Calls"), format="int"), Column(_("Share (%)"), format="pct")],
    )
    level.rows = [
        [_("The service desk"), now["at_desk"], now["at_desk_rate"]],
        [_("Technicians (first level)"), now["at_first"], now["at_first_rate"]],
        [_("Suppliers (second level)"), now["at_second"], now["at_second_rate"]],
    ]
    satisfaction = Table(
        "satisfaction",
        _("How people rated the help they got"),
        [Column(_("Rating")), Column(_("People"), format="int"), Column(_("Share (%)"), format="pct")],
        note=_("%(rated)s of the %(asked)s people asked answered (%(share)s).")
        % {"rated": now["rated"], "asked": now["asked"], "share": percent(now["answered_rate"])},
    )
    satisfaction.rows = [
        [_("Good"), now["satisfied"], now["satisfied_rate"]],
        [_("OK"), now["rated_ok"], now["ok_rate"]],
        [_("Poor"), now["rated_poor"], now["poor_rate"]],
    ]
    repeats = r["repeats"]
    repeat = Table(
        "repeats",
        _("Devices reported more than once"),
        [Column(_("Device")), Column(_("Calls"), format="int")],
        note=_("%(repeats)s calls were about one of %(devices)s devices already reported in the period.")
        % {"repeats": repeats["repeats"], "devices": repeats["devices"]},
    )
    repeat.rows = [[row["label"], row["n"]] for row in repeats["top"]]
    technicians = Table(
        "technicians",
        _("Technicians: calls forwarded and how reporters rated them"),
        [
            Column(_("Technician")),
            Column(_("Calls"), format="int"),
            Column(_("Fixed"), format="int"),
            Column(_("Fixed within target (%)"), format="pct"),
            Column(_("Rated good"), format="int"),
            Column(_("Rated OK"), format="int"),
            Column(_("Rated poor"), format="int"),
            Column(_("Rated good (%)"), format="pct"),
        ],
    )
    technicians.rows = [
        [row["name"], row["calls"], row["fixed"], row["rate"], row["good"], row["ok"], row["poor"], row["good_share"]]
        for row in report.get("technicians", [])
    ]
    return [measures, priority, category, location, level, satisfaction, technicians, repeat]


def proactive_tables(report: dict) -> list[Table]:
    p = report["problems"]
    problems = Table("problems", _("Problems and known errors"), [Column(_("Measure")), *_cols(report)])
    problems.rows = _compared(
        report,
        p["figures"],
        [
            ("raised", _("Problems raised"), False),
            ("known_errors", _("Made known errors (workaround found)"), False),
            ("resolved", _("Problems solved"), False),
            ("open_now", _("Open now"), True),
            ("known_errors_now", _("Known errors now"), True),
            ("overdue_now", _("Past their target date now"), True),
        ],
    )
    open_problems = Table(
        "open_problems",
        _("Open problems"),
        [
            Column(_("Reference")),
            Column(_("Problem")),
            *([Column(_("School"))] if report["multi"] else []),
            Column(_("Priority")),
            Column(_("Status")),
            Column(_("Calls"), format="int"),
            Column(_("Aim to solve by"), format="date"),
        ],
    )
    open_problems.rows = [
        [
            x.reference,
            x.title,
            *([x.school.name] if report["multi"] else []),
            x.priority,
            x.get_status_display(),
            x.calls,
            x.due_on,
        ]
        for x in p["open"]
    ]
    lic = report["licences"]
    s = lic["summary"]
    licences = Table("licences", _("Licence compliance now"), [Column(_("Measure")), Column(_("Value"), format="num")])
    licences.rows = [
        [_("Licences recorded"), s["licences"]],
        [_("Compliant"), s["ok"]],
        [_("Covered by a site licence"), s["site"]],
        [_("Under-licensed (more in use than owned)"), s["under"]],
        [_("Seats short"), s["short"]],
        [_("Over-licensed (unused seats)"), s["over"]],
        [_("Unused seats"), s["unused"]],
        [_("Value of unused seats (£)"), s["unused_value"]],
        [_("Expired"), s["expired"]],
        [_("Renewing or ending in the next 90 days"), lic["renewing"]["n"]],
        [_("Cost of those renewals (£)"), lic["renewing"]["cost"]],
    ]
    short = Table(
        "licences_short",
        _("Under-licensed software"),
        [
            Column(_("Product")),
            *([Column(_("School"))] if report["multi"] else []),
            Column(_("Owned"), format="int"),
            Column(_("In use"), format="int"),
            Column(_("Short by"), format="int"),
        ],
    )
    short.rows = [
        [x.product, *([x.school.name] if report["multi"] else []), x.owned, x.in_use, x.shortfall] for x in lic["short"]
    ]
    a = report["assets"]
    equipment = Table(
        "equipment",
        _("Equipment: warranty and replacement ahead"),
        [
            Column(_("Type")),
            Column(_("Working"), format="int"),
            Column(_("Warranty ends within %(n)s days") % {"n": a["warranty_days"]}, format="int"),
            Column(_("Warranty ended"), format="int"),
            Column(_("Over %(n)s years old") % {"n": a["replacement_years"]}, format="int"),
            Column(_("Reaching %(n)s years within a year") % {"n": a["replacement_years"]}, format="int"),
        ],
    )
    equipment.rows = [
        [
            row["label"],
            row["total"],
            row["warranty_ending"],
            row["warranty_ended"],
            row["replace_now"],
            row["replace_soon"],
        ]
        for row in a["types"]
    ]
    k = report["contracts"]
    contracts = Table(
        "contracts",
        _("Contracts to renew or end in the next six months"),
        [
            Column(_("Contract")),
            Column(_("Supplier")),
            Column(_("Notice by"), format="date"),
            Column(_("Term ends"), format="date"),
            Column(_("Renewal")),
            Column(_("Decided")),
        ],
    )
    contracts.rows = [
        [
            c.name,
            c.supplier.name,
            c.notice_by_on if c.notice_number else None,
            c.term_ends_on,
            c.get_renewal_display(),
            _("yes") if c.decided else _("not yet"),
        ]
        for c in k["rows"]
    ]
    return [problems, open_problems, licences, short, equipment, contracts]


def change_tables(report: dict) -> list[Table]:
    c = report["changes"]
    changes = Table("changes", _("Requests for change"), [Column(_("Measure")), *_cols(report)])
    changes.rows = _compared(
        report,
        c["figures"],
        [
            ("raised", _("Raised"), False),
            ("authorised", _("Authorised"), False),
            ("rejected", _("Rejected"), False),
            ("implemented", _("Implemented successfully"), False),
            ("failed", _("Failed or backed out"), False),
            ("open_now", _("Open now"), True),
            ("awaiting_now", _("Awaiting authorisation now"), True),
        ],
    )
    done = Table(
        "changes_done",
        _("Changes completed in the period"),
        [
            Column(_("Reference")),
            Column(_("Change")),
            *([Column(_("School"))] if report["multi"] else []),
            Column(_("Completed"), format="date"),
            Column(_("Outcome")),
        ],
    )
    done.rows = [
        [
            x.reference,
            x.title,
            *([x.school.name] if report["multi"] else []),
            timezone.localdate(x.completed_at) if x.completed_at else None,
            x.get_outcome_display(),
        ]
        for x in c["done"]
    ]
    return [changes, done]


def supplier_tables(report: dict) -> list[Table]:
    table = Table(
        "suppliers",
        _("Supplier performance (the period's calls escalated to suppliers)"),
        [
            Column(_("Supplier")),
            Column(_("Escalated"), format="int"),
            Column(_("Acknowledged"), format="int"),
            Column(_("Fixed"), format="int"),
            Column(_("Fixed within target (%)"), format="pct"),
            Column(_("Average time to fix")),
            Column(_("Still open"), format="int"),
            Column(_("Contract fix times (support hours)")),
            Column(_("Rated good / OK / poor")),
            Column(_("Rated good (%)"), format="pct"),
        ],
        note=_(
            "Within target: fixed by the call's due time in the school's service hours. The contract's own fix "
            "times, in the supplier's support hours, are shown beside it; the supplier's page measures each "
            "call against them."
        ),
    )
    table.rows = [
        [
            row["supplier__name"],
            row["escalated"],
            row["acknowledged"],
            row["fixed"],
            row["rate"],
            row["average_time"],
            row["still_open"],
            row["promise"] or _("no contract targets"),
            f"{row['good']} / {row['ok']} / {row['poor']}",
            row["good_share"],
        ]
        for row in report["suppliers"]["rows"]
    ]
    return [table]


def spend_tables(report: dict) -> list[Table]:
    year = report["spend"]["year"]
    budget = Table(
        "spend",
        _("Budget against spend, financial year %(year)s (before VAT)") % {"year": year["year_label"]},
        [
            Column(_("Budget category")),
            Column(_("Budget (£)"), format="money"),
            Column(_("Committed (£)"), format="money"),
            Column(_("Paid (£)"), format="money"),
            Column(_("Remaining (£)"), format="money"),
        ],
        note=_("Committed: every payment due in the financial year, paid or not."),
    )
    budget.rows = [
        [row["label"], row["budget"], row["committed"], row["paid"], row["remaining"]] for row in year["rows"]
    ]
    if year["rows"]:
        t = year["totals"]
        budget.rows.append([_("Total"), t["budget"], t["committed"], t["paid"], t["remaining"]])
    periods = Table(
        "spend_periods", _("Payments in the period (before VAT)"), [Column(_("Measure")), *_cols(report, "money")]
    )
    periods.rows = _compared(
        report,
        report["spend"]["periods"],
        [("due", _("Payments falling due (£)"), False), ("paid", _("Payments made (£)"), False)],
    )
    return [budget, periods]


def school_tables(report: dict) -> list[Table]:
    rows = report["reactive"].get("schools", {})
    year = report["spend"]["year"]["schools"]
    previous = dict(report["comparisons"]).get("previous")
    table = Table(
        "schools",
        _("Schools compared"),
        [
            Column(_("School")),
            Column(_("Pupils"), format="int"),
            Column(_("Calls"), format="int"),
            Column(_("Calls per 100 pupils"), format="num"),
            Column(
                _("Calls, %(period)s") % {"period": previous.label} if previous else _("Calls before"), format="int"
            ),
            Column(_("Answered within target (%)"), format="pct"),
            Column(_("Fixed within target (%)"), format="pct"),
            Column(_("Open past target"), format="int"),
            Column(_("Rated good (%)"), format="pct"),
            Column(_("Budget (£)"), format="money"),
            Column(_("Committed (£)"), format="money"),
            Column(_("Budget committed (%)"), format="pct"),
        ],
    )
    for school in report["schools"]:
        row, money = rows.get(school.pk, {}), year.get(school.pk, {})
        calls = row.get("calls", 0)
        table.rows.append(
            [
                school.name,
                school.roll_number,
                calls,
                round(100 * calls / school.roll_number, 1) if school.roll_number else None,
                row.get("before", 0),
                row.get("response_rate"),
                row.get("resolve_rate"),
                row.get("open_late", 0),
                row.get("satisfaction"),
                money.get("budget"),
                money.get("committed"),
                money.get("percent"),
            ]
        )
    return [table]
