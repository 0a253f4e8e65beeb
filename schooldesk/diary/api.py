"""Diary entries and payments in the API (the finance system's view of what is due and paid), scoped and filtered
as the diary and payments pages are (entry_list, payment_list; DiaryFilterSet, PaymentFilterSet)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from schooldesk.core.api import (
    IF_MATCH,
    DeskSerializer,
    DeskViewSet,
    through_form,
)
from schooldesk.core.permissions import require
from schooldesk.diary.filtersets import DiaryFilterSet, PaymentFilterSet
from schooldesk.diary.forms import DiaryEntryForm
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import desk_schools, entry_list, payment_api_list
from schooldesk.diary.services import entry_delete, entry_save, payment_mark_paid, payment_save
from schooldesk.suppliers.models import Contract, Supplier


class DiaryEntrySerializer(DeskSerializer):
    class Meta:
        model = DiaryEntry
        fields = [
            "id",
            "school",
            "kind",
            "title",
            "notes",
            "starts_at",
            "ends_at",
            "is_all_day",
            "location",
            "person",
            "contract",
            "incident",
            "payment",
            "change",
            "remind_days_before",
            "completed_at",
            "created_at",
            "updated_at",
        ]


class PaymentSerializer(DeskSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "school",
            "supplier",
            "contract",
            "for_entry",
            "category",
            "description",
            "kind",
            "amount",
            "vat",
            "due_on",
            "paid_on",
            "paid_reference",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["paid_on", "paid_reference", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.reader
        if user is None:
            return
        for name, queryset in (
            ("school", desk_schools(user=user)),
            ("supplier", Supplier.objects.visible_to(user)),
            ("contract", Contract.objects.visible_to(user)),
            ("for_entry", DiaryEntry.objects.visible_to(user)),
        ):
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = queryset


class PaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The finance system's own reference (an order or invoice number).",
    )


ENTRY_WRITE = (
    "The diary page's fields: school (where you have several), kind, title, starts_on, starts_time, "
    "ends_on, ends_time, is_all_day, location, person, contract, call (a call's reference), notes, "
    "remind_days_before. A PATCH sends only what changes."
)


class DiaryEntryViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, DeskViewSet):
    """Visits, installations, milestones, renewals, payments due, training and meetings. The desk adds, changes
    and removes entries through `entry_save` / `entry_delete`, validated by the diary page's form; an entry kept in
    step with its contract or payment is changed there instead (404 here, as on the page)."""

    serializer_class = DiaryEntrySerializer
    filterset_class = DiaryFilterSet
    selector = entry_list
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _editable(self) -> DiaryEntry:
        entry = self.get_object()
        require(self.request.user, "diary.change", entry, message=_("Only the school's ICT desk changes its diary."))
        if entry.generated_key:
            raise NotFound(_("This entry follows a contract or a payment: change that instead."))
        return entry

    @extend_schema(request=OpenApiTypes.OBJECT, description=ENTRY_WRITE)
    def create(self, request, *args, **kwargs):
        require(request.user, "diary.change", message=_("Only the school's ICT desk changes its diary."))
        form = through_form(DiaryEntryForm, request, instance=DiaryEntry(), user=request.user)
        return self.detail_answer(entry_save(entry=form.instance, by=request.user), status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, parameters=[IF_MATCH], description=ENTRY_WRITE)
    def partial_update(self, request, *args, **kwargs):
        entry = self._editable()
        version = self.checked_version(entry)
        form = through_form(DiaryEntryForm, request, instance=entry, version=version, user=request.user)
        return self.detail_answer(entry_save(entry=form.instance, by=request.user, version=form.rendered_version))

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        entry = self._editable()
        self.checked_version(entry)
        entry_delete(entry=entry, by=request.user)
        return self._response(None, status.HTTP_204_NO_CONTENT)


class PaymentViewSet(mixins.CreateModelMixin, DeskViewSet):
    """Payments: scheduled, paid and overdue, for those the payments page lets in. The desk adds a payment
    (`payment_save`) and records one as paid (`payment_mark_paid`), as on the payments page."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    @staticmethod
    def selector(user):
        return payment_api_list(user=user)

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
        return self.detail_answer(
            payment_mark_paid(payment=payment, by=request.user, paid_on=data["paid_on"], reference=data["reference"])
        )
