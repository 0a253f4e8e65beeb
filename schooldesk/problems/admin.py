from django.contrib import admin

from schooldesk.problems.models import Problem


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Read-only: every change to a problem goes through the services (and so its progress notes)."""

    list_display = ["__str__", "school", "status", "priority", "created_at"]
    list_filter = ["school", "status"]
    search_fields = ["title"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
