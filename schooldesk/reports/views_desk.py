"""The desk-wide pages everyone meets: the home page (where everyone lands) and the header's search. They read
every app, so they live on the top floor with the reports, not in core (docs/architecture.md)."""

from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from schooldesk.core.permissions import can
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.selectors import incident_list, incident_rows, triage_counts
from schooldesk.reports.search import search_groups, search_reference
from schooldesk.reports.selectors import escalated_to_my_supplier
from schooldesk.schools.models import School
from schooldesk.schools.selectors import spoc_on_duty


class SearchView(TemplateView):
    """The header's search: a reference this person may see goes straight to its record; words list the
    matching calls and records, a few of each kind, each from its own list's filter."""

    template_name = "search.html"

    def get(self, request, *args, **kwargs):
        text = request.GET.get("q", "").strip()[:200]
        reference = search_reference(request.user, text) if text else None
        if reference and reference.url:
            return redirect(reference.url)
        groups = search_groups(request, text) if text and not reference else []
        return self.render_to_response(self.get_context_data(q=text, reference=reference, groups=groups))


class HomeView(TemplateView):
    """Where everyone lands: report a problem, who the SPOC is today, my calls; the desk's counts; for a
    provider, the open calls escalated to their supplier."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        schools = School.objects.visible_to(user).select_related("spoc", "deputy")
        mine = incident_rows(incident_list(user=user).filter(reported_by=user).order_by("-logged_at"))[:10]
        assigned = []
        if can(user, "incidents.work"):
            assigned = list(
                incident_rows(
                    incident_list(user=user)
                    .filter(assigned_to=user, status__in=ACTIVE_STATUSES)
                    .order_by("location__name", "resolve_due_at")
                )[:25]
            )
        queue = triage_counts(user=user, now=now) if can(user, "incidents.triage_queue") else None
        escalated = escalated_to_my_supplier(user=user)
        is_provider = escalated is not None
        escalated = escalated or []
        return super().get_context_data(
            duty=[(school, spoc_on_duty(school=school, moment=now)) for school in schools],
            mine=mine,
            assigned=assigned,
            queue=queue,
            now=now,
            is_provider=is_provider,
            escalated=escalated,
            **kwargs,
        )
