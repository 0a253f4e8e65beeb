"""Diary entries and payments in the API (the finance system's view of what is due and paid), scoped and filtered
as the diary and payments pages are (entry_list, payment_list; DiaryFilterSet, PaymentFilterSet)."""

from schooldesk.core.api import DeskSerializer, DeskViewSet, with_roles
from schooldesk.diary.choices import PAYMENT_ROLES
from schooldesk.diary.filtersets import DiaryFilterSet, PaymentFilterSet
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import entry_list, payment_list


class DiaryEntrySerializer(DeskSerializer):
    class Meta:
        model = DiaryEntry
        fields = ["id", "school", "kind", "title", "notes", "starts_at", "ends_at", "is_all_day", "location",
                  "person", "contract", "incident", "payment", "change", "remind_days_before", "completed_at",
                  "created_at", "updated_at"]


class PaymentSerializer(DeskSerializer):
    class Meta:
        model = Payment
        fields = ["id", "school", "supplier", "contract", "for_entry", "category", "description", "kind", "amount",
                  "vat", "due_on", "paid_on", "paid_reference", "created_at", "updated_at"]


class DiaryEntryViewSet(DeskViewSet):
    """Visits, installations, milestones, renewals, payments due, training and meetings."""

    serializer_class = DiaryEntrySerializer
    filterset_class = DiaryFilterSet
    selector = staticmethod(entry_list)


class PaymentViewSet(DeskViewSet):
    """Payments: scheduled, paid and overdue, for those the payments page lets in."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    @staticmethod
    def selector(user):
        return with_roles(payment_list(user), user, PAYMENT_ROLES)
