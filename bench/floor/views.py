"""The floor: what Django itself costs to show the same content as the desk's busiest pages (issue 23).

A bare view reads the same rows the product shows (the SPOC's calls through the same tenancy scoping, 25 to a
page with the count; one call and its timeline) with `.values()` and renders them with one small template.
Sign-in and sessions are as usual. What the product spends above this is its layout, menus, forms and checks:
`make bench` shows each page's time beside its floor."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from schooldesk.incidents.models import Incident, IncidentUpdate

ROWS = (
    "pk",
    "school__name",
    "summary",
    "priority",
    "status",
    "location__name",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "logged_at",
    "resolve_due_at",
)
PAGE = 25


@login_required
def call_list(request):
    calls = Incident.objects.visible_to(request.user).order_by("-logged_at")
    return render(request, "floor/list.html", {"count": calls.count(), "rows": list(calls.values(*ROWS)[:PAGE])})


@login_required
def call_page(request, pk: int):
    call = Incident.objects.visible_to(request.user).filter(pk=pk).values(*ROWS, "description").first()
    if call is None:
        raise Http404
    timeline = (
        IncidentUpdate.objects.filter(incident_id=pk)
        .order_by("created_at", "id")
        .values(
            "kind", "body", "created_at", "author__first_name", "author__last_name", "field", "old_value", "new_value"
        )
    )
    return render(request, "floor/call.html", {"call": call, "timeline": list(timeline)})
