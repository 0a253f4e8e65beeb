from django.contrib import admin

from schooldesk.suppliers.models import Contact, Contract, ContractShare, Supplier


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "email", "phone"]
    search_fields = ["name"]
    inlines = [ContactInline]


class ShareInline(admin.TabularInline):
    model = ContractShare
    extra = 0
    readonly_fields = ["school", "percent"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-only: contracts change through the services (dates, shares, diary and reminders in step)."""

    list_display = ["__str__", "status", "starts_on", "term_ends_on", "notice_by_on", "value"]
    list_filter = ["status", "renewal"]
    search_fields = ["name", "supplier__name"]
    inlines = [ShareInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
