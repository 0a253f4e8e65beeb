from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, ObjectActionView
from schooldesk.devicesync import selectors, services
from schooldesk.devicesync.forms import ButtonForm, ConnectionForm, LineFilterForm
from schooldesk.devicesync.models import ConsoleConnection, SyncRun

LINES_PER_PAGE = 100


class ConsolesMixin:
    """A school's ICT owner, SPOC or technicians, or an organisation's desk: the rule "devicesync.manage"
    (schooldesk/permissions/rules.py) in some school or organisation."""

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "devicesync.manage"):
            raise PermissionDenied("Your role does not include device consoles.")
        return super().dispatch(request, *args, **kwargs)


def _connection_or_404(request, pk) -> ConsoleConnection:
    try:
        return selectors.connection_get(user=request.user, pk=pk)
    except ConsoleConnection.DoesNotExist as exc:
        raise Http404 from exc


class ConnectionListView(ConsolesMixin, ListView):
    template_name = "devicesync/connection_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.connection_list(user=self.request.user)


class ConnectionEditView(ConsolesMixin, FormPageView):
    """Add a console (no pk) or change one; its page offers "Sync now" and "Test the connection" and lists the
    latest runs."""

    template_name = "devicesync/connection_form.html"
    context_object_name = "connection"
    success_message = gettext_lazy("Console saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _connection_or_404(self.request, pk) if pk else ConsoleConnection()

    def get_form(self, data=None, files=None):
        return ConnectionForm(data, instance=self.object, user=self.request.user)

    def get_context_data(self, **context):
        if self.object.pk:
            context["runs"] = selectors.connection_runs(connection=self.object)
        return context

    def perform(self, form):
        return services.connection_save(
            connection=form.instance,
            by=self.request.user,
            version=form.rendered_version,
            credentials=form.cleaned_data["secret"],
        )

    def get_success_url(self, result):
        return reverse("devicesync:connection_update", args=[result.pk])


class _ConnectionAction(ConsolesMixin, ObjectActionView):
    def get_object(self):
        return _connection_or_404(self.request, self.kwargs["pk"])

    def get_form(self, obj, data, files):
        return ButtonForm(data)

    def get_success_url(self, obj) -> str:
        return reverse("devicesync:connection_update", args=[obj.pk])

    def render_failed(self, obj, form):
        for error in form.non_field_errors():
            messages.error(self.request, error)
        return redirect(self.get_success_url(obj))


class ConnectionTestView(_ConnectionAction):
    def perform(self, obj, form):
        self.answer = services.connection_test(connection=obj, by=self.request.user)
        return obj

    def get_success_message(self, result) -> str:
        return self.answer


class SyncRequestView(_ConnectionAction):
    def perform(self, obj, form):
        self.run = services.sync_request(connection=obj, by=self.request.user)
        return self.run

    def get_success_message(self, result) -> str:
        return _("Sync queued: this page shows its report when it has run.")

    def get_success_url(self, obj) -> str:
        run = getattr(self, "run", None)
        if run is None:
            return super().get_success_url(obj)
        return reverse("devicesync:run_detail", args=[obj.pk, run.pk])


class RunListView(ConsolesMixin, View):
    def get(self, request, pk):
        connection = _connection_or_404(request, pk)
        runs = selectors.connection_runs(connection=connection, limit=None)
        page = Paginator(runs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "devicesync/run_list.html",
            {"connection": connection, "page_obj": page, "object_list": page.object_list},
        )


class RunDetailView(ConsolesMixin, View):
    def get(self, request, pk, run_pk):
        connection = _connection_or_404(request, pk)
        try:
            run = selectors.run_get(connection=connection, run_pk=run_pk)
        except SyncRun.DoesNotExist as exc:
            raise Http404 from exc
        filters = LineFilterForm(request.GET or None)
        kind = filters.cleaned_data.get("kind", "") if filters.is_valid() else ""
        page = Paginator(selectors.run_lines(run=run, kind=kind), LINES_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "devicesync/run_detail.html",
            {
                "connection": connection,
                "run": run,
                "filters": filters,
                "page_obj": page,
                "lines": page.object_list,
                "query_without_page": query.urlencode(),
            },
        )
