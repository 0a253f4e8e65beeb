from django.contrib import admin

from schooldesk.schools.models import Closure, Organisation, School, Term
from schooldesk.schools.services import school_setup_defaults


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "phase", "governance", "urn"]
    list_filter = ["organisation", "phase", "governance"]
    search_fields = ["name", "urn"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        school_setup_defaults(school=obj)  # presets for schools made here too


admin.site.register(Term)
admin.site.register(Closure)
