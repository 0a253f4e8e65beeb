from django.apps import apps
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.views import FilteredListView, FormPageView, PermissionRequiredMixin
from schooldesk.locations import services
from schooldesk.locations.filtersets import LocationFilterSet
from schooldesk.locations.forms import LocationForm
from schooldesk.locations.models import Location
from schooldesk.locations.selectors import desk_locations, location_list, location_school_ids, location_uses
from schooldesk.locations.tables import LOCATION_PAGE


class LocationListView(FilteredListView):
    model = Location
    selector = location_list
    filterset_class = LocationFilterSet
    table = LOCATION_PAGE
    permission = "locations.change"
    template_name = "locations/location_list.html"
    paginate_by = 50


class LocationEditView(FormPageView):
    """Add a location (no pk) or rename one."""

    permission = "locations.change"
    template_name = "locations/location_form.html"
    context_object_name = "location"
    success_message = gettext_lazy("Location saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(desk_locations(user=self.request.user), pk=pk) if pk else Location()

    def get_form(self, data=None, files=None):
        return LocationForm(data, instance=self.object, school_ids=location_school_ids(user=self.request.user))

    def perform(self, form):
        return services.location_save(location=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("locations:location_list")


class LocationArchiveView(PermissionRequiredMixin, View):
    """POST: archive or restore."""

    permission = "locations.change"
    action = "archive"

    def post(self, request, pk):
        location = get_object_or_404(desk_locations(user=request.user), pk=pk)
        services.location_archive(location=location, by=request.user, archived=self.action == "archive")
        messages.success(
            request,
            _("“%(name)s” archived.") % {"name": location.name}
            if self.action == "archive"
            else _("“%(name)s” restored.") % {"name": location.name},
        )
        return redirect("locations:location_list")


class LocationDeleteView(PermissionRequiredMixin, View):
    """GET asks first (and says when the location will be archived instead: records name it); POST deletes."""

    permission = "locations.change"

    def get(self, request, pk):
        location = get_object_or_404(desk_locations(user=request.user), pk=pk)
        uses = location_uses(location=location)
        calls = uses.pop("incidents.incident", 0)
        others = ", ".join(str(apps.get_model(label)._meta.verbose_name_plural) for label in uses)
        return render(
            request,
            "locations/location_confirm_delete.html",
            {"location": location, "in_use": bool(calls or others), "calls": calls, "others": others},
        )

    def post(self, request, pk):
        location = get_object_or_404(desk_locations(user=request.user), pk=pk)
        if services.location_delete(location=location, by=request.user):
            messages.success(request, _("“%(name)s” deleted.") % {"name": location.name})
        else:
            messages.info(
                request,
                _("“%(name)s” is named on calls or other records, so it was archived instead of deleted.")
                % {"name": location.name},
            )
        return redirect("locations:location_list")
