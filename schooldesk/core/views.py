"""The few base views every app builds on: scoped querysets, role checks, filtered lists with htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from schooldesk.accounts.access import access_for

PAGE_SIZE = 25


class ScopedMixin:
    """Querysets come from `visible_to`: another school's row is a 404, never data."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class RoleRequiredMixin:
    """Only people holding one of `required_roles` in some school may open the page."""

    required_roles: frozenset[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.required_roles and not access_for(request.user).any_role(self.required_roles):
            raise PermissionDenied("Your role does not include this page.")
        return super().dispatch(request, *args, **kwargs)

    def require_role_in(self, school_id: int, roles=None) -> None:
        """For object pages: the role must be held in the object's own school."""
        if not access_for(self.request.user).has_role(school_id, roles or self.required_roles):
            raise Http404


class FilteredListView(ScopedMixin, RoleRequiredMixin, ListView):
    """A list filtered by a FilterSet (the same one the API uses), paginated in SQL.
    An htmx request gets only the `#results` partial; the same URL works as a whole page."""

    filterset_class = None
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=super().get_queryset(),
                                              request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        names = super().get_template_names()
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [f"{names[0]}#results"]
        return names

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class ScopedDetailView(ScopedMixin, RoleRequiredMixin, DetailView):
    pass


def apply_service(request, form, service, success_message: str, **kwargs):
    """Run a service with a valid form; its ValidationErrors become form errors (input kept)."""
    try:
        result = service(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def redirect_back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


class HomeView(TemplateView):
    """Where everyone lands: report a problem, who the SPOC is today, my calls; the desk's counts."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from schooldesk.accounts.choices import DESK_ROLES, STAFF_ROLES
        from schooldesk.incidents.choices import ACTIVE_STATUSES
        from schooldesk.incidents.selectors import incident_list, incident_rows, triage_counts
        from schooldesk.schools.models import School
        from schooldesk.schools.selectors import spoc_on_duty

        user, now = self.request.user, timezone.now()
        access = access_for(user)
        schools = School.objects.visible_to(user).select_related("spoc", "deputy")
        mine = incident_rows(incident_list(user).filter(reported_by=user).order_by("-logged_at"))[:10]
        assigned = []
        if access.any_role(STAFF_ROLES):
            assigned = list(incident_rows(incident_list(user).filter(assigned_to=user, status__in=ACTIVE_STATUSES)
                                          .order_by("location__name", "resolve_due_at"))[:25])
        queue = triage_counts(user, now) if access.any_role(DESK_ROLES) else None
        return super().get_context_data(
            duty=[(school, spoc_on_duty(school, now)) for school in schools], mine=mine, assigned=assigned,
            queue=queue, now=now, **kwargs,
        )


@login_not_required
@never_cache
def health(request):
    """For monitoring and load balancers: 200 when the database, the queue storage and a worker answer, 503 naming
    what fails otherwise. No sign-in and no personal data."""
    from schooldesk.core.tasks import health_checks

    checks = health_checks()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse({"status": "failing" if failing else "ok", "failing": failing, "checks": checks},
                        status=503 if failing else 200)


def client_address(request) -> str | None:
    """The client's address for login throttling: behind a trusted proxy (SCHOOLDESK_TRUSTED_PROXY), the one
    nginx puts in X-Real-IP; otherwise every sign-in would seem to come from the proxy."""
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
