from django.contrib import admin

from schooldesk.budgets.models import Budget


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "category", "amount"]
    list_filter = ["year", "category", "school"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
