from django.contrib import admin

from schooldesk.diary.models import DiaryEntry, Payment


@admin.register(DiaryEntry)
class DiaryEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "kind", "starts_at", "person"]
    list_filter = ["kind", "school"]
    search_fields = ["title"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["description", "school", "supplier", "amount", "due_on", "paid_on"]
    list_filter = ["school", "category"]
    search_fields = ["description", "paid_reference"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
