from django.contrib import admin

from schooldesk.incidents.models import Category, Incident


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: every change to a call goes through the services (and so the timeline)."""

    list_display = ["__str__", "school", "status", "priority", "logged_at"]
    list_filter = ["school", "status", "priority"]
    search_fields = ["summary"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Category)
