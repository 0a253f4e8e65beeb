from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import DESK_ROLES
from schooldesk.core.views import FilteredListView, RoleRequiredMixin, apply_service
from schooldesk.locations import services
from schooldesk.locations.filtersets import LocationFilterSet
from schooldesk.locations.forms import LocationForm
from schooldesk.locations.models import Location


def desk_locations(user):
    return Location.objects.visible_to(user).filter(access_for(user).schools_q(DESK_ROLES))


class LocationListView(FilteredListView):
    model = Location
    filterset_class = LocationFilterSet
    required_roles = DESK_ROLES
    template_name = "locations/location_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = LocationFilterSet(
            self.request.GET or None,
            queryset=desk_locations(self.request.user).select_related("school").annotate(calls=Count("incident")),
            request=self.request,
        )
        return self.filterset.qs.order_by("school__name", "name")


class LocationEditView(RoleRequiredMixin, View):
    """Add a location (no pk) or rename one."""

    required_roles = DESK_ROLES

    def _get(self, request, pk):
        return get_object_or_404(desk_locations(request.user), pk=pk) if pk else Location()

    def get(self, request, pk=None):
        location = self._get(request, pk)
        form = LocationForm(instance=location, school_ids=access_for(request.user).school_ids(DESK_ROLES))
        return render(request, "locations/location_form.html", {"form": form, "location": location})

    def post(self, request, pk=None):
        location = self._get(request, pk)
        form = LocationForm(request.POST, instance=location, school_ids=access_for(request.user).school_ids(DESK_ROLES))
        if form.is_valid():
            saved = apply_service(request, form, services.location_save, _("Location saved."),
                                  location=form.instance, by=request.user)
            if saved:
                return redirect("locations:location_list")
        return render(request, "locations/location_form.html", {"form": form, "location": location}, status=400)


class LocationArchiveView(RoleRequiredMixin, View):
    """POST: archive, restore, or delete (a location in use is archived instead)."""

    required_roles = DESK_ROLES
    action = "archive"

    def post(self, request, pk):
        location = get_object_or_404(desk_locations(request.user), pk=pk)
        if self.action == "delete":
            if services.location_delete(location=location, by=request.user):
                messages.success(request, _("“%(name)s” deleted.") % {"name": location.name})
            else:
                messages.info(request,
                              _("“%(name)s” has calls logged against it, so it was archived instead of deleted.")
                              % {"name": location.name})
        else:
            services.location_archive(location=location, by=request.user, archived=self.action == "archive")
            messages.success(request, _("“%(name)s” archived.") % {"name": location.name} if self.action == "archive"
                             else _("“%(name)s” restored.") % {"name": location.name})
        return redirect("locations:location_list")
