from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from schooldesk.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 1
    autocomplete_fields = ["school", "organisation", "supplier"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("School", {"fields": ("phone", "job_title")}))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles on their own (also inline on each person): every role given or taken away here is on the school's audit
    trail (schooldesk/core/audit.py), naming the administrator."""

    list_display = ["user", "role", "school", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "school", "organisation", "supplier"]
