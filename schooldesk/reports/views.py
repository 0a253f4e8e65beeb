from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.core.audit import audit_sentence
from schooldesk.core.exports import export_response
from schooldesk.core.models import AuditEntry
from schooldesk.core.periods import PeriodForm
from schooldesk.core.roles import REPORT_ROLES
from schooldesk.core.views import FilteredListView, PermissionRequiredMixin
from schooldesk.reports import dashboards, exports
from schooldesk.reports.charts import report_charts
from schooldesk.reports.filtersets import AuditFilterSet
from schooldesk.reports.forms import service_report_request
from schooldesk.reports.selectors import audit_links, audit_trail, incident_report
from schooldesk.reports.service_report import report_school_ids, report_sections, report_tables, service_report
from schooldesk.reports.tables import AUDIT_EXPORT, AUDIT_PAGE, INCIDENT_REPORT_EXPORT
from schooldesk.schools.models import School
from schooldesk.schools.selectors import schools_for


class IncidentReportView(PermissionRequiredMixin, View):
    permission = "reports.view"

    def get(self, request):
        form = PeriodForm.from_query(request.GET, schools=schools_for(user=request.user, roles=REPORT_ROLES))
        report = None
        if form.is_valid():
            report = incident_report(
                user=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                school=form.cleaned_data["school"],
            )
            if request.GET.get("format") == "csv":
                rows = [(key, row["key"], row["n"]) for key, _title, table in report["tables"] for row in table]
                totals = report["totals"]
                rows[:0] = [
                    ("totals", "calls", totals["total"]),
                    ("totals", "response target met", totals["response_met"]),
                    ("totals", "responded", totals["responded"]),
                    ("totals", "resolution target met", totals["resolve_met"]),
                    ("totals", "resolved", totals["resolved"]),
                    ("totals", "resolved at the desk", totals["at_desk"]),
                ]
                name = f"incident-report-{report['start']:%Y-%m-%d}-to-{report['end']:%Y-%m-%d}"
                return export_response(INCIDENT_REPORT_EXPORT, "csv", name, rows)
        return render(
            request,
            "reports/incident_report.html",
            {"form": form, "report": report},
            status=200 if form.is_valid() else 400,
        )


class ServiceReportView(PermissionRequiredMixin, View):
    """The FITS service report for a term, half-term, month or school year: on screen with charts, as a
    PDF for the governors, and every table as CSV or XLSX (`?format=pdf|xlsx|csv&table=<key>`)."""

    permission = "reports.view"

    def get(self, request):
        today = timezone.localdate()
        school_ids = report_school_ids(user=request.user)
        form, asked = service_report_request(request.GET, school_ids=school_ids, today=today)
        if asked is None:
            return render(request, "reports/service_report.html", {"form": form}, status=400)
        report = service_report(request.user, **asked)
        tables = report_tables(report)
        fmt, key = request.GET.get("format"), request.GET.get("table")
        if fmt in ("csv", "xlsx"):
            if fmt == "xlsx" and not key:
                return exports.workbook(report, [t for section in tables.values() for t in section])
            table = next((t for section in tables.values() for t in section if t.key == key), None)
            if table is None:
                return render(request, "reports/service_report.html", {"form": form, "unknown_table": key}, status=404)
            return exports.table_csv(report, table) if fmt == "csv" else exports.table_xlsx(report, table)
        sections = report_sections(tables, report_charts(report))
        if fmt == "pdf":
            return exports.pdf(request, report, sections)
        query = form.data.copy()
        query.pop("format", None)
        query.pop("table", None)
        return render(
            request,
            "reports/service_report.html",
            {"form": form, "report": report, "sections": sections, "query": query.urlencode()},
        )


class DashboardHomeView(View):
    """/reports/dashboards/: the dashboard of the person's main role."""

    def get(self, request):
        kind = dashboards.default_for(request.user)
        if kind is None:
            raise PermissionDenied(_("Your role has no dashboard."))
        return redirect("reports:dashboard_" + kind)


class DashboardView(View):
    kind = ""
    builders = {
        "desk": dashboards.desk_dashboard,
        "technician": dashboards.technician_dashboard,
        "owner": dashboards.owner_dashboard,
        "governors": dashboards.governors_dashboard,
        "schools": dashboards.schools_dashboard,
    }

    def get(self, request):
        if self.kind not in dashboards.available(request.user):
            raise PermissionDenied(_("Your role does not include this dashboard."))
        school_ids = dashboards.dashboard_school_ids(user=request.user, kind=self.kind)
        schools = list(School.objects.filter(pk__in=school_ids).order_by("name")) if len(school_ids) > 1 else []
        wanted = request.GET.get("school", "")
        school = next((s for s in schools if str(s.pk) == wanted), None) if self.kind != "schools" else None
        now = timezone.now()
        data = self.builders[self.kind](request.user, [school.pk] if school else school_ids, now)
        tabs = [(key, dashboards.DASHBOARDS[key][1]) for key in dashboards.available(request.user)]
        return render(
            request,
            f"reports/dashboard_{self.kind}.html",
            {
                "data": data,
                "kind": self.kind,
                "tabs": tabs,
                "schools": schools,
                "school": school,
                "now": now,
                "today": timezone.localdate(now),
                "title": dashboards.DASHBOARDS[self.kind][1],
            },
        )


class AuditTrailView(FilteredListView):
    """Who did what in the person's schools: changes, reads of restricted calls, downloads, role grants, sign-ins
    and refusals, as sentences, filtered and paginated in SQL; the filtered trail as CSV or Excel
    (`?format=csv|xlsx`). For the ICT owner and the DPO only."""

    model = AuditEntry
    selector = audit_trail
    filterset_class = AuditFilterSet
    table = AUDIT_PAGE
    permission = "reports.audit"
    template_name = "reports/audit_trail.html"
    EXPORT_LIMIT = 50_000

    def get(self, request, *args, **kwargs):
        wanted = request.GET.get("format")
        if wanted not in ("csv", "xlsx"):
            return super().get(request, *args, **kwargs)
        entries = self.get_queryset()[: self.EXPORT_LIMIT]
        name = f"audit-trail-{timezone.localdate():%Y-%m-%d}"
        return export_response(AUDIT_EXPORT, wanted, name, entries.iterator(chunk_size=2000))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["object_list"])
        links = audit_links(user=self.request.user, entries=entries)
        for entry in entries:
            entry.sentence, entry.link = audit_sentence(entry), links.get(entry.pk)
        context["rows"] = entries
        context["retention_days"] = settings.SCHOOLDESK_AUDIT_RETENTION_DAYS
        return context
