"""Suppliers, their contacts and contracts (with dates, targets and renewal decisions) in the API: read by those
whom the supplier and contract pages let in (CONTRACT_ROLES), scoped as those pages are."""

from rest_framework import serializers

from schooldesk.core.api import DeskSerializer, DeskViewSet, with_roles
from schooldesk.suppliers.filtersets import ContractFilterSet, SupplierFilterSet
from schooldesk.suppliers.models import CONTRACT_ROLES, Contact, Contract, ContractDecision, Supplier
from schooldesk.suppliers.selectors import contract_list, supplier_list


def suppliers_for(user):
    """The suppliers of the organisations of the schools where the user may read suppliers."""
    from schooldesk.schools.models import School

    schools = with_roles(School.objects.all(), user, CONTRACT_ROLES, field="id")
    return supplier_list(user).filter(organisation_id__in=schools.values("organisation_id"))


def contacts_for(user):
    return Contact.objects.filter(supplier__in=suppliers_for(user).values("pk")).select_related("supplier")


class SupplierSerializer(DeskSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "organisation", "name", "kind", "contact_name", "email", "phone", "portal_url",
                  "escalation_notes", "created_at", "updated_at"]


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
        fields = ["id", "organisation", "supplier", "name", "supplier_reference", "status", "category", "services",
                  "scope", "starts_on", "initial_term_months", "ends_on", "renewal", "renewal_term_months",
                  "notice_number", "notice_unit", "renewals", "term_ends_on", "notice_by_on", "bills_recurring",
                  "value", "billing_frequency", "vat_percent", "support_opens_at", "support_closes_at",
                  "support_days", "support_term_time_only", "targets", "visit_weekday", "visit_starts_at",
                  "visit_ends_at", "visit_every_weeks", "visit_term_time_only", "visit_technician", "schools",
                  "decisions", "created_at", "updated_at"]

    def get_schools(self, contract) -> list[int]:
        return sorted(share.school_id for share in contract.shares.all())


class SupplierViewSet(DeskViewSet):
    """The organisation's supplier catalogue."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    selector = staticmethod(suppliers_for)


class ContactViewSet(DeskViewSet):
    """Suppliers' contacts and escalation levels; `?supplier=<id>` for one supplier's."""

    serializer_class = ContactSerializer
    selector = staticmethod(contacts_for)
    filterset_fields = ["supplier"]


class ContractViewSet(DeskViewSet):
    """Contracts shared with the user's schools: dates, notice, renewal, response and fix targets, decisions."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet

    @staticmethod
    def selector(user):
        return contract_list(user).prefetch_related("decisions")
