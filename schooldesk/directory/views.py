from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, ObjectActionView
from schooldesk.directory import selectors, services
from schooldesk.directory.forms import ActionForm, ConnectionForm
from schooldesk.directory.models import Connection, Room, Run


class ManagerRequiredMixin:
    """The school's ICT owner, or an organisation's desk (SPOC or ICT owner across it): the rule "directory.manage"
    (schooldesk/permissions/rules.py) in some school or organisation."""

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "directory.manage"):
            raise PermissionDenied("Your role does not include directory connections.")
        return super().dispatch(request, *args, **kwargs)


class ReaderRequiredMixin:
    """Those who manage connections, and the SPOCs who read their school's reports: the rule "directory.read"."""

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "directory.read"):
            raise PermissionDenied("Your role does not include directory sync.")
        return super().dispatch(request, *args, **kwargs)


def _connection_or_404(request, pk) -> Connection:
    try:
        return selectors.connection_get(user=request.user, pk=pk)
    except Connection.DoesNotExist as exc:
        raise Http404 from exc


def _run_or_404(request, pk) -> Run:
    try:
        return selectors.run_get(user=request.user, pk=pk)
    except Run.DoesNotExist as exc:
        raise Http404 from exc


class ConnectionListView(ReaderRequiredMixin, TemplateView):
    template_name = "directory/connection_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            connections=list(selectors.connection_list(user=self.request.user)),
            runs=list(selectors.run_list(user=self.request.user)[: selectors.RECENT]),
            can_manage=can(self.request.user, "directory.manage"),
            **kwargs,
        )


class ConnectionEditView(ManagerRequiredMixin, FormPageView):
    """Add a connection (no pk) or change one; its page offers "Test the connection" and "Sync now"."""

    template_name = "directory/connection_form.html"
    context_object_name = "connection"
    success_message = gettext_lazy("Connection saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _connection_or_404(self.request, pk) if pk else Connection()

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
            secret=form.cleaned_data.get("new_secret", ""),
            version=form.rendered_version,
        )

    def get_success_url(self, result):
        return reverse("directory:connection_update", args=[result.pk])


class _ConnectionAction(ManagerRequiredMixin, ObjectActionView):
    def get_object(self):
        return _connection_or_404(self.request, self.kwargs["pk"])

    def get_form(self, obj, data, files):
        return ActionForm(data)

    def get_success_url(self, obj) -> str:
        return reverse("directory:connection_update", args=[obj.pk])

    def render_failed(self, obj, form):
        return redirect(self.get_success_url(obj))


class ConnectionTestView(_ConnectionAction):
    def perform(self, obj, form):
        return services.connection_test(connection=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        worked, message = result
        if not worked:
            messages.error(self.request, message)
            return ""
        return message


class ConnectionSyncView(_ConnectionAction):
    def perform(self, obj, form):
        services.sync_start(connection=obj, by=self.request.user)
        return obj

    def get_success_message(self, result) -> str:
        return _("The sync has started: its report is listed below when it is done.")


class RunListView(ReaderRequiredMixin, ListView):
    template_name = "directory/run_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)


class RunDetailView(ReaderRequiredMixin, TemplateView):
    template_name = "directory/run_detail.html"

    def get_context_data(self, **kwargs):
        run = _run_or_404(self.request, self.kwargs["run_pk"])
        rooms = selectors.run_rooms(run=run)
        return super().get_context_data(
            run=run,
            changes=selectors.run_changes(run=run),
            rooms=rooms,
            rooms_to_add=[r for r in rooms if not r.location_id and not r.is_location],
            can_manage=can(self.request.user, "directory.add_room", run.connection),
            **kwargs,
        )


class _RoomAction(ManagerRequiredMixin, ObjectActionView):
    def get_object(self):
        run = _run_or_404(self.request, self.kwargs["run_pk"])
        if not can(self.request.user, "directory.add_room", run.connection):
            raise Http404
        return run

    def get_form(self, obj, data, files):
        return ActionForm(data)

    def get_success_url(self, obj) -> str:
        return reverse("directory:run_detail", args=[obj.pk]) + "#rooms"

    def render_failed(self, obj, form):
        return redirect(self.get_success_url(obj))


class RoomAddView(_RoomAction):
    def perform(self, obj, form):
        try:
            room = obj.rooms.get(pk=self.kwargs["room_pk"])
        except Room.DoesNotExist as exc:
            raise Http404 from exc
        services.room_add(room=room, by=self.request.user)
        return room

    def get_success_message(self, result) -> str:
        return _("“%(room)s” is now one of the school's locations.") % {"room": result.name}


class RoomsAddAllView(_RoomAction):
    def perform(self, obj, form):
        return services.rooms_add_all(run=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("%(n)d rooms added as locations.") % {"n": result}
