"""Suppliers, their contacts and contracts (with dates, targets and renewal decisions) in the API: read by those
whom the supplier and contract pages let in (CONTRACT_ROLES), scoped as those pages are."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from schooldesk.core.api import IF_MATCH, DeskSerializer, DeskViewSet, through_form
from schooldesk.core.permissions import can, require
from schooldesk.suppliers import services
from schooldesk.suppliers.filtersets import ContractFilterSet, SupplierFilterSet
from schooldesk.suppliers.forms import ContactForm, ContractForm, DecisionForm, SupplierForm
from schooldesk.suppliers.models import Contact, Contract, ContractDecision, Supplier
from schooldesk.suppliers.selectors import contacts_for, contract_list, managed_organisation_ids, suppliers_for
from schooldesk.suppliers.views import _managed_supplier

#: the fields a write may send, as the web page's form takes them
SUPPLIER_WRITE = (
    "organisation (on a create, where you are the officer of several), name, kind, contact_name, email, "
    "phone, portal_url, escalation_notes"
)
CONTRACT_WRITE = (
    "The contract page's fields (supplier, name, status, starts_on, initial_term_months, renewal, "
    "notice_number, notice_unit, value, billing_frequency, vat_percent, support_opens_at, "
    "support_closes_at, support_days [0-6], services, locations, targets as t_<priority>_respond / "
    "t_<priority>_fix in hours, visit_…) and `shares`: {school id: percent}, adding up to 100."
)


class SupplierSerializer(DeskSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "organisation",
            "name",
            "kind",
            "contact_name",
            "email",
            "phone",
            "portal_url",
            "escalation_notes",
            "created_at",
            "updated_at",
        ]


class ContactSerializer(DeskSerializer):
    class Meta:
        model = Contact
        fields = ["id", "supplier", "name", "job_title", "email", "phone", "escalation_level", "notes", "created_at"]


class DecisionSerializer(DeskSerializer):
    class Meta:
        model = ContractDecision
        fields = ["id", "decision", "reason", "decided_by", "term_ends_on", "created_at"]


class ContractSerializer(DeskSerializer):
    schools = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "organisation",
            "supplier",
            "name",
            "supplier_reference",
            "status",
            "category",
            "services",
            "scope",
            "starts_on",
            "initial_term_months",
            "ends_on",
            "renewal",
            "renewal_term_months",
            "notice_number",
            "notice_unit",
            "renewals",
            "term_ends_on",
            "notice_by_on",
            "bills_recurring",
            "value",
            "billing_frequency",
            "vat_percent",
            "support_opens_at",
            "support_closes_at",
            "support_days",
            "support_term_time_only",
            "targets",
            "visit_weekday",
            "visit_starts_at",
            "visit_ends_at",
            "visit_every_weeks",
            "visit_term_time_only",
            "visit_technician",
            "schools",
            "decisions",
            "created_at",
            "updated_at",
        ]

    def get_schools(self, contract) -> list[int]:
        return sorted(share.school_id for share in contract.shares.all())


class RenewalDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["renew", "renegotiate", "cancel"])
    reason = serializers.CharField()


class SupplierViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, DeskViewSet):
    """The organisation's supplier catalogue. Added and changed by the organisation's officers (a stand-alone
    school's desk, or an LA's or trust's officer) through `supplier_save`, validated by the supplier page's form; a
    school's desk inside an LA or trust is refused (403) and suggests a change on the page instead."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    selector = suppliers_for
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=OpenApiTypes.OBJECT, description=SUPPLIER_WRITE)
    def create(self, request, *args, **kwargs):
        require(request.user, "suppliers.change", message=_("Your organisation's officers add its shared suppliers."))
        organisations = managed_organisation_ids(user=request.user)
        form = through_form(SupplierForm, request, instance=Supplier(), organisation_ids=organisations)
        supplier = services.supplier_save(supplier=form.instance, by=request.user)
        return self.detail_answer(supplier, status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, parameters=[IF_MATCH], description=SUPPLIER_WRITE)
    def partial_update(self, request, *args, **kwargs):
        supplier = _managed_supplier(request, self.get_object().pk)
        version = self.checked_version(supplier)
        form = through_form(
            SupplierForm,
            request,
            instance=supplier,
            version=version,
            organisation_ids=managed_organisation_ids(user=request.user),
        )
        return self.detail_answer(
            services.supplier_save(supplier=form.instance, by=request.user, version=form.rendered_version)
        )


class ContactViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, DeskViewSet):
    """Suppliers' contacts and escalation levels; `?supplier=<id>` for one supplier's. Added, changed and removed
    by the organisation's officers (`contact_save`, `contact_delete`), as on the supplier page."""

    serializer_class = ContactSerializer
    selector = contacts_for
    filterset_fields = ["supplier"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=ContactSerializer)
    def create(self, request, *args, **kwargs):
        supplier_id = str(request.data.get("supplier", ""))
        if not supplier_id.isdigit() or not suppliers_for(user=request.user).filter(pk=supplier_id).exists():
            raise serializers.ValidationError({"supplier": [_("Choose a supplier you can see.")]})
        supplier = _managed_supplier(request, int(supplier_id))
        form = through_form(ContactForm, request, instance=Contact(supplier=supplier))
        contact = services.contact_save(contact=form.instance, by=request.user)
        return self.detail_answer(contact, status.HTTP_201_CREATED)

    @extend_schema(request=ContactSerializer, parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        contact = self.get_object()
        _managed_supplier(request, contact.supplier_id)
        version = self.checked_version(contact)
        form = through_form(ContactForm, request, instance=contact, version=version)
        return self.detail_answer(
            services.contact_save(contact=form.instance, by=request.user, version=form.rendered_version)
        )

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        contact = self.get_object()
        _managed_supplier(request, contact.supplier_id)
        self.checked_version(contact)
        services.contact_delete(contact=contact, by=request.user)
        return self._response(None, status.HTTP_204_NO_CONTENT)


class ContractViewSet(DeskViewSet):
    """Contracts shared with the user's schools: dates, notice, renewal, response and fix targets, decisions."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    @staticmethod
    def selector(user):
        return contract_list(user=user).prefetch_related("decisions")

    def _saved(self, request, contract, *, version=None):
        data = {name: value for name, value in request.data.items() if name != "shares"}
        shares = request.data.get("shares")
        if isinstance(shares, dict):
            # the page's share fields (share_<school id>) from `shares`; a school not named has no share (left out,
            # the page's own: the shares as they are, or 100% for a desk of one school)
            data.update(
                {f"share_{school.pk}": "" for school in ContractForm(instance=contract, user=request.user).schools}
            )
            data.update({f"share_{pk}": percent for pk, percent in (shares or {}).items()})
        form = through_form(ContractForm, request, instance=contract, version=version, data=data, user=request.user)
        return services.contract_save(
            contract=form.instance,
            by=request.user,
            shares=form.shares,
            locations=list(form.cleaned_data["locations"]),
            version=form.rendered_version,
        )

    @extend_schema(request=OpenApiTypes.OBJECT, description=CONTRACT_WRITE)
    def create(self, request, *args, **kwargs):
        contract = self._saved(request, Contract())
        return self.detail_answer(contract, status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, parameters=[IF_MATCH], description=CONTRACT_WRITE)
    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        if not can(request.user, "suppliers.manage_contract", contract):
            raise Http404
        version = self.checked_version(contract)
        return self.detail_answer(self._saved(request, contract, version=version))

    @extend_schema(request=RenewalDecisionSerializer, responses=ContractSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the renewal decision for the current term (`contract_decide`), as on the contract page."""
        contract = self.get_object()
        self.checked_version(contract)
        form = through_form(DecisionForm, request)
        services.contract_decide(contract=contract, by=request.user, **form.cleaned_data)
        return self.detail_answer(contract)
