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
