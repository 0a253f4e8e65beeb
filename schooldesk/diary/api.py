"""Diary entries and payments in the API (the finance system's view of what is due and paid), scoped and filtered
as the diary and payments pages are (entry_list, payment_list; DiaryFilterSet, PaymentFilterSet)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from schooldesk.accounts.choices import DESK_ROLES
from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, schools_with, with_roles
from schooldesk.diary.choices import PAYMENT_ROLES
from schooldesk.diary.filtersets import DiaryFilterSet, PaymentFilterSet
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import entry_list, payment_list
from schooldesk.diary.services import payment_mark_paid, payment_save
from schooldesk.suppliers.models import Contract, Supplier


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
        read_only_fields = ["paid_on", "paid_reference", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.reader
        if user is None:
            return
        for name, queryset in (("school", schools_with(user, DESK_ROLES)),
                               ("supplier", Supplier.objects.visible_to(user)),
                               ("contract", Contract.objects.visible_to(user)),
                               ("for_entry", DiaryEntry.objects.visible_to(user))):
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = queryset


class PaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="The finance system's own reference (an order or invoice number).")


class DiaryEntryViewSet(DeskViewSet):
    """Visits, installations, milestones, renewals, payments due, training and meetings."""

    serializer_class = DiaryEntrySerializer
    filterset_class = DiaryFilterSet
    selector = staticmethod(entry_list)


class PaymentViewSet(mixins.CreateModelMixin, DeskViewSet):
    """Payments: scheduled, paid and overdue, for those the payments page lets in. The desk adds a payment
    (`payment_save`) and records one as paid (`payment_mark_paid`), as on the payments page."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    @staticmethod
    def selector(user):
        return with_roles(payment_list(user), user, PAYMENT_ROLES)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_save(payment=Payment(**serializer.validated_data), by=request.user)
        return self.detail_answer(payment, status.HTTP_201_CREATED)

    @extend_schema(request=PaidSerializer, responses=PaymentSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        """Record the payment as paid, on a date and with the finance system's reference."""
        payment = self.get_object()
        self.checked_version(payment)
        serializer = PaidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self.detail_answer(payment_mark_paid(payment=payment, by=request.user, paid_on=data["paid_on"],
                                                    reference=data["reference"]))
