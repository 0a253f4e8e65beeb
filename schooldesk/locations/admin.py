from django.contrib import admin

from schooldesk.locations.models import Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "is_archived"]
    list_filter = ["school", "is_archived"]
    search_fields = ["name"]
