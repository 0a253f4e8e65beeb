"""The FITS service report (period; reactive, proactive and change statistics; supplier performance; spend
against budget), shaped for a school's governing body: a one-page summary in plain English first, then
the figures, each table compared with the period before and the same period a year earlier.

`service_report()` gathers the figures (SQL aggregates, a fixed number of queries); `report_tables()`
lays every table out once, for the page, the PDF, CSV and XLSX alike; the charts are drawn from the same
figures (`schooldesk.reports.charts`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schooldesk.core.access import access_for
from schooldesk.core.roles import REPORT_ROLES
from schooldesk.core.templatetags.desk_format import count_change, money, percent
from schooldesk.reports import proactive
from schooldesk.reports.periods import Period
from schooldesk.reports.selectors import reactive_figures, technician_figures
from schooldesk.reports.tables import build_tables
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

COLUMN_NAMES = {"now": "", "previous": "previous", "last_year": "a year earlier"}


def report_school_ids(*, user: User, school: School | None = None) -> list[int]:
    """The schools whose reports `user` reads (one of them, `school`, if given)."""
    ids = access_for(user).school_ids(REPORT_ROLES)
    return [pk for pk in ids if school is None or pk == school.pk]


def service_report(
    user, *, period: Period, comparisons: list[tuple[str, Period]], school=None, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    school_ids = report_school_ids(user=user, school=school)
    schools = list(School.objects.filter(pk__in=school_ids).order_by("name"))
    periods = [("now", period), *comparisons]
    report = {
        "period": period,
        "comparisons": comparisons,
        "periods": periods,
        "school": school,
        "schools": schools,
        "multi": len(schools) > 1,
        "generated_at": now,
        "today": today,
        "columns": [(tag, p.label if tag == "now" else f"{p.label} ({COLUMN_NAMES[tag]})") for tag, p in periods],
        "reactive": reactive_figures(school_ids, periods, now, compare_schools=len(schools) > 1),
        "problems": proactive.problem_figures(school_ids, periods, today),
        "licences": proactive.licence_figures(school_ids, today),
        "assets": proactive.asset_figures(school_ids, today),
        "contracts": proactive.contract_figures(school_ids, today),
        "changes": proactive.change_figures(school_ids, periods),
        "suppliers": proactive.supplier_figures(school_ids, period),
        "technicians": technician_figures(school_ids, period),
        "spend": proactive.spend_figures(user, schools, periods),
    }
    report["summary"] = summary(report)
    report["headlines"] = headlines(report)
    report["questions"] = questions(report)
    return report


# --- the one-page summary --------------------------------------------------------------------------
def _change(now: int, before: int | None) -> str:
    if before is None:
        return ""
    return count_change(now, before)


def _pct(value) -> str:
    return percent(value)


def _share(rows: list[dict], total: int, n: int = 3) -> str:
    parts = [
        f"{row['label']} ({round(100 * row['now'] / total)}%)" for row in rows if row["key"] is None and row["now"]
    ][:n]
    return _(" and ").join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def summary(report: dict) -> list[str]:
    """Plain-English sentences for governors: what happened, how well, and what needs a decision."""
    period, r = report["period"], report["reactive"]
    now = r["totals"]["now"]
    compare = dict(report["comparisons"])
    said = []
    so_far = _(" so far") if period.end >= report["today"] else ""
    opening = ngettext(
        "In %(period)s%(so_far)s (%(dates)s) staff reported %(n)s fault or request to the ICT service desk",
        "In %(period)s%(so_far)s (%(dates)s) staff reported %(n)s faults and requests to the ICT service desk",
        now["calls"],
    ) % {"period": period.label, "so_far": so_far, "dates": period.dates, "n": now["calls"]}
    against = []
    for tag in ("previous", "last_year"):
        if tag in compare and (words := _change(now["calls"], r["totals"][tag]["calls"])):
            against.append(_("%(change)s compared with %(period)s") % {"change": words, "period": compare[tag].label})
    said.append(opening + (": " + _(" and ").join(against) if against else "") + ".")
    if now["calls"]:
        said.append(
            _("%(response)s were answered within the agreed time and %(resolve)s were put right within it.")
            % {"response": _pct(now["response_rate"]), "resolve": _pct(now["resolve_rate"])}
            + (
                " "
                + ngettext(
                    "%(n)s call is still open past its target.",
                    "%(n)s calls are still open past their target.",
                    now["open_late"],
                )
                % {"n": now["open_late"]}
                if now["open_late"]
                else ""
            )
        )
        if top := _share(r["category"], now["calls"]):
            said.append(_("The most common kinds of call were: %(top)s.") % {"top": top})
        if now["resolved"]:
            said.append(
                _(
                    "Of the calls put right, the service desk itself solved %(desk)s, technicians %(first)s "
                    "and outside suppliers %(second)s."
                )
                % {
                    "desk": _pct(now["at_desk_rate"]),
                    "first": _pct(now["at_first_rate"]),
                    "second": _pct(now["at_second_rate"]),
                }
            )
        if now["rated"]:
            said.append(
                ngettext(
                    "%(n)s person rated how their call was handled: %(good)s said good, %(ok)s OK and %(poor)s poor.",
                    "%(n)s people rated how their calls were handled: %(good)s said good, %(ok)s OK and %(poor)s poor.",
                    now["rated"],
                )
                % {
                    "n": now["rated"],
                    "good": _pct(now["satisfied_rate"]),
                    "ok": _pct(now["ok_rate"]),
                    "poor": _pct(now["poor_rate"]),
                }
            )
        said.append(
            ngettext(
                "There was %(n)s critical (P1) incident.", "There were %(n)s critical (P1) incidents.", now["major"]
            )
            % {"n": now["major"]}
            if now["major"]
            else _("There were no critical (P1) incidents.")
        )
    p = report["problems"]["figures"]
    said.append(
        ngettext(
            "%(open)s underlying problem is being worked on",
            "%(open)s underlying problems are being worked on",
            p["now"]["open_now"],
        )
        % {"open": p["now"]["open_now"]}
        + (
            ngettext("; %(n)s was solved in the period.", "; %(n)s were solved in the period.", p["now"]["resolved"])
            % {"n": p["now"]["resolved"]}
            if p["now"]["resolved"]
            else _("; none was solved in the period.")
        )
    )
    c = report["changes"]["figures"]["now"]
    if c["implemented"] or c["failed"] or c["raised"]:
        said.append(
            ngettext("%(n)s change to ICT was made", "%(n)s changes to ICT were made", c["implemented"])
            % {"n": c["implemented"]}
            + (
                ngettext(" and %(n)s failed or was backed out", " and %(n)s failed or were backed out", c["failed"])
                % {"n": c["failed"]}
                if c["failed"]
                else ""
            )
            + ngettext(
                "; %(n)s new request for change was raised.",
                "; %(n)s new requests for change were raised.",
                c["raised"],
            )
            % {"n": c["raised"]}
        )
    lic = report["licences"]["summary"]
    if lic["licences"]:
        said.append(
            ngettext(
                "%(n)s software licence covers less than is in use (%(seats)s more needed).",
                "%(n)s software licences cover less than is in use (%(seats)s more needed).",
                lic["under"],
            )
            % {"n": lic["under"], "seats": lic["short"]}
            if lic["under"]
            else _("Every software licence covers what is in use.")
        )
    a = report["assets"]["totals"]
    if a["total"]:
        said.append(
            _(
                "%(ending)s devices' warranties end in the next %(days)s days; %(old)s devices are over "
                "%(years)s years old and due for replacement."
            )
            % {
                "ending": a["warranty_ending"],
                "days": report["assets"]["warranty_days"],
                "old": a["replace_now"],
                "years": report["assets"]["replacement_years"],
            }
        )
    k = report["contracts"]
    if k["count"]:
        said.append(
            ngettext(
                "%(n)s contract reaches its notice date or end in the next six months (%(u)s not yet decided).",
                "%(n)s contracts reach their notice date or end in the next six months (%(u)s not yet decided).",
                k["count"],
            )
            % {"n": k["count"], "u": k["undecided"]}
        )
    year = report["spend"]["year"]
    totals = year["totals"]
    if totals["budget"]:
        said.append(
            _(
                "ICT spend committed for the financial year %(year)s is %(committed)s against a budget of "
                "%(budget)s (%(pct)s)%(over)s."
            )
            % {
                "year": year["year_label"],
                "committed": money(totals["committed"]),
                "budget": money(totals["budget"]),
                "pct": percent(totals["percent"]),
                "over": _(": over budget") if totals["over"] else "",
            }
        )
    elif totals["committed"]:
        said.append(
            _("ICT spend committed for the financial year %(year)s is %(committed)s; no budget has been recorded.")
            % {"year": year["year_label"], "committed": money(totals["committed"])}
        )
    if now["restricted"]:
        said.append(
            ngettext(
                "%(n)s call concerned data protection or safeguarding; its details are kept to the DPO and DSL.",
                "%(n)s calls concerned data protection or safeguarding; their details are kept to the DPO and DSL.",
                now["restricted"],
            )
            % {"n": now["restricted"]}
        )
    return said


def _tile_change(value, before, fmt: str) -> str:
    """How a headline moved since the previous period: percentages in points, counts in per cent."""
    if value is None or before is None:
        return ""
    if fmt == "pct":
        diff = round(float(value) - float(before))
        text = (
            ngettext("up %(n)s point", "up %(n)s points", diff)
            if diff > 0
            else ngettext("down %(n)s point", "down %(n)s points", -diff)
        )
        return (text % {"n": abs(diff)} if diff else _("no change")) + " " + _("on the previous period")
    if fmt == "num":
        diff = round(float(value) - float(before), 1)
        return (
            (_("up %(n)s") % {"n": diff} if diff > 0 else _("down %(n)s") % {"n": -diff} if diff else _("no change"))
            + " "
            + _("on the previous period")
        )
    return count_change(value, before) + " " + _("on the previous period")


def headlines(report: dict) -> list[dict]:
    now = report["reactive"]["totals"]["now"]
    previous = report["reactive"]["totals"].get("previous", {})
    year = report["spend"]["year"]["totals"]
    tiles = [
        ("calls", "int", _("calls logged")),
        ("response_rate", "pct", _("answered within target")),
        ("resolve_rate", "pct", _("fixed within target")),
        ("satisfaction", "pct", _("of ratings good")),
    ]
    out = [
        {"value": now[key], "fmt": fmt, "label": label, "change": _tile_change(now[key], previous.get(key), fmt)}
        for key, fmt, label in tiles
    ]
    out.append({"value": year["percent"], "fmt": "pct", "label": _("of this year's budget committed"), "change": ""})
    return out


# --- the tables ------------------------------------------------------------------------------------
def report_tables(report: dict) -> dict:
    """Every table of the report, by section (reactive, proactive, change, suppliers, spend, schools)."""

    return build_tables(report)


SECTIONS = [
    (
        "reactive",
        _("Calls to the service desk"),
        _(
            "Reactive statistics: the faults and requests reported, how quickly they were answered and put right, "
            "by whom, and what people thought of the help."
        ),
    ),
    (
        "proactive",
        _("Preventing problems"),
        _(
            "Proactive statistics: underlying problems found and solved, software licences, and equipment whose "
            "warranty ends or that is due for replacement, and contracts coming up for renewal."
        ),
    ),
    (
        "change",
        _("Changes to ICT"),
        _("Change statistics: requests for change raised, authorised by the ICT owner, and made."),
    ),
    ("suppliers", _("Suppliers"), _("How the support providers did with the calls passed to them.")),
    ("spend", _("Spend against budget"), _("ICT spend recorded in the diary's payments, before VAT.")),
    ("schools", _("Schools compared"), _("The same figures for each school, side by side.")),
]


def report_sections(tables: dict, charts: dict) -> list[dict]:
    return [
        {"key": key, "title": title, "intro": intro, "tables": tables.get(key, []), "charts": charts.get(key, [])}
        for key, title, intro in SECTIONS
        if tables.get(key)
    ]


def questions(report: dict) -> list[str]:
    """Questions governors may wish to ask, raised by the figures themselves."""
    now = report["reactive"]["totals"]["now"]
    asked = []
    if now["resolve_rate"] is not None and now["resolve_rate"] < 80:
        asked.append(
            _(
                "Fewer than eight in ten calls were put right within the agreed time: why, and what is "
                "being done about it?"
            )
        )
    if now["open_late"]:
        asked.append(_("What is holding up the calls still open past their target?"))
    if report["licences"]["summary"]["under"]:
        asked.append(_("When will the under-licensed software be brought into line?"))
    if report["assets"]["totals"]["replace_now"]:
        asked.append(
            _("Is there a plan, and a budget, to replace the equipment over %(n)s years old?")
            % {"n": report["assets"]["replacement_years"]}
        )
    if report["contracts"]["undecided"]:
        asked.append(_("Who will decide about the contracts coming up for renewal, and by when?"))
    if report["spend"]["year"]["totals"]["over"]:
        asked.append(_("The committed spend is over the budget: how will the difference be met?"))
    return asked
