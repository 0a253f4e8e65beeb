from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import DESK_ROLES
from schooldesk.core.views import FilteredListView, FormPageView, RoleRequiredMixin, apply_service
from schooldesk.schools.models import School
from schooldesk.suppliers import services
from schooldesk.suppliers.filtersets import ContractFilterSet, SupplierFilterSet
from schooldesk.suppliers.forms import ContactForm, ContractForm, DecisionForm, DocumentForm, SupplierForm
from schooldesk.suppliers.models import CONTRACT_ROLES, Contact, Contract, ContractDocument, Supplier
from schooldesk.suppliers.selectors import (
    contract_get,
    contract_list,
    contracts_needing_decision,
    supplier_get,
    supplier_list,
    supplier_performance,
)


def desk_organisation_ids(user) -> list[int]:
    ids = access_for(user).school_ids(DESK_ROLES)
    return sorted(set(School.objects.filter(pk__in=ids).values_list("organisation_id", flat=True)))


def _desk_supplier(request, pk) -> Supplier:
    return get_object_or_404(Supplier.objects.filter(organisation_id__in=desk_organisation_ids(request.user)), pk=pk)


class SupplierListView(FilteredListView):
    model = Supplier
    filterset_class = SupplierFilterSet
    required_roles = CONTRACT_ROLES
    template_name = "suppliers/supplier_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = SupplierFilterSet(self.request.GET or None, queryset=supplier_list(self.request.user),
                                           request=self.request)
        return self.filterset.qs


class SupplierDetailView(RoleRequiredMixin, View):
    """The supplier, how to escalate to them (contacts in order), their contracts and performance."""

    required_roles = CONTRACT_ROLES

    def get(self, request, pk):
        try:
            supplier = supplier_get(request.user, pk)
        except Supplier.DoesNotExist as exc:
            raise Http404 from exc
        contracts = list(contract_list(request.user).filter(supplier=supplier).order_by("-starts_on"))
        today = timezone.localdate()
        performance = supplier_performance(request.user, supplier_id=supplier.pk, contracts=contracts, today=today)
        return render(request, "suppliers/supplier_detail.html", {
            "object": supplier, "contracts": contracts, "performance": performance, "today": today,
            "can_edit": supplier.organisation_id in desk_organisation_ids(request.user),
        })


class SupplierEditView(FormPageView):
    required_roles = DESK_ROLES
    template_name = "suppliers/supplier_form.html"
    context_object_name = "supplier"
    success_message = gettext_lazy("Supplier saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _desk_supplier(self.request, pk) if pk else Supplier()

    def get_form(self, data=None, files=None):
        return SupplierForm(data, instance=self.object, organisation_ids=desk_organisation_ids(self.request.user))

    def perform(self, form):
        return services.supplier_save(supplier=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("suppliers:supplier_detail", args=[result.pk])


class ContactEditView(FormPageView):
    required_roles = DESK_ROLES
    template_name = "suppliers/contact_form.html"
    context_object_name = "contact"
    success_message = gettext_lazy("Contact saved.")

    def get_object(self):
        self.supplier = _desk_supplier(self.request, self.kwargs["pk"])
        if contact_pk := self.kwargs.get("contact_pk"):
            return get_object_or_404(self.supplier.contacts, pk=contact_pk)
        return Contact(supplier=self.supplier)

    def get_form(self, data=None, files=None):
        return ContactForm(data, instance=self.object)

    def get_context_data(self, **context):
        return {**context, "supplier": self.supplier}

    def perform(self, form):
        return services.contact_save(contact=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("suppliers:supplier_detail", args=[self.supplier.pk])


class ContactDeleteView(RoleRequiredMixin, View):
    required_roles = DESK_ROLES

    def post(self, request, pk, contact_pk):
        contact = get_object_or_404(_desk_supplier(request, pk).contacts, pk=contact_pk)
        services.contact_delete(contact=contact, by=request.user)
        messages.success(request, _("Contact removed."))
        return redirect("suppliers:supplier_detail", pk=pk)


# --- contracts --------------------------------------------------------------------------------
class ContractListView(FilteredListView):
    model = Contract
    filterset_class = ContractFilterSet
    required_roles = CONTRACT_ROLES
    template_name = "suppliers/contract_list.html"

    def get_queryset(self):
        self.filterset = ContractFilterSet(self.request.GET or None, queryset=contract_list(self.request.user),
                                           request=self.request)
        return self.filterset.qs.order_by("term_ends_on", "name", "pk")


class ContractDecisionsView(RoleRequiredMixin, TemplateView):
    """What needs a decision: notice dates and ends within 90, 60 and 30 days."""

    required_roles = CONTRACT_ROLES
    template_name = "suppliers/contract_decisions.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        services.contracts_roll_forward(today=today)  # exact even when the worker has not run today
        return super().get_context_data(monitor=contracts_needing_decision(self.request.user, today), **kwargs)


def _visible_contract(request, pk) -> Contract:
    try:
        return contract_get(request.user, pk)
    except Contract.DoesNotExist as exc:
        raise Http404 from exc


def render_contract(request, contract, *, decision_form=None, document_form=None, status=200):
    from schooldesk.diary.selectors import contract_payments_and_entries

    today = timezone.localdate()
    school_ids = services.contract_school_ids(contract)
    performance = supplier_performance(request.user, supplier_id=contract.supplier_id, contracts=[contract],
                                       today=today, since=contract.starts_on)
    payments, entries = contract_payments_and_entries(request.user, contract, today)
    decisions = list(contract.decisions.all())
    return render(request, "suppliers/contract_detail.html", {
        "contract": contract, "today": today, "performance": performance["contracts"][0][1]
        if performance["contracts"] else None,
        "can_manage": services.can_manage_contract(request.user, school_ids),
        "decision_form": decision_form or DecisionForm(), "document_form": document_form or DocumentForm(),
        "payments": payments, "entries": entries, "failed": status != 200,
        "current_decision": next((d for d in decisions if d.term_ends_on == contract.term_ends_on), None),
        "latest_decision": decisions[0] if decisions else None,
    }, status=status)


class ContractDetailView(RoleRequiredMixin, View):
    required_roles = CONTRACT_ROLES

    def get(self, request, contract_pk):
        return render_contract(request, _visible_contract(request, contract_pk))


class ContractEditView(FormPageView):
    required_roles = DESK_ROLES
    template_name = "suppliers/contract_form.html"
    context_object_name = "contract"
    success_message = gettext_lazy("Contract saved.")

    def get_object(self):
        request, contract_pk = self.request, self.kwargs.get("contract_pk")
        if not contract_pk:
            supplier = request.GET.get("supplier")
            contract = Contract(supplier_id=int(supplier)) if supplier and supplier.isdigit() else Contract()
            if contract.supplier_id and not Supplier.objects.filter(
                    pk=contract.supplier_id, organisation_id__in=desk_organisation_ids(request.user)).exists():
                contract.supplier_id = None
            return contract
        contract = _visible_contract(request, contract_pk)
        if not services.can_manage_contract(request.user, services.contract_school_ids(contract)):
            raise Http404
        return contract

    def get_form(self, data=None, files=None):
        contract = self.object
        initial = {"supplier": contract.supplier_id} if contract.supplier_id and not contract.pk else None
        return ContractForm(data, instance=contract, user=self.request.user, initial=initial)

    def perform(self, form):
        return services.contract_save(contract=form.instance, by=self.request.user, shares=form.shares,
                                      locations=list(form.cleaned_data["locations"]), version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("suppliers:contract_detail", kwargs={"contract_pk": result.pk})


class ContractDecideView(RoleRequiredMixin, View):
    required_roles = DESK_ROLES

    def post(self, request, contract_pk):
        contract = _visible_contract(request, contract_pk)
        form = DecisionForm(request.POST)
        if form.is_valid() and apply_service(request, form, services.contract_decide, _("Decision recorded."),
                                             contract=contract, by=request.user, **form.cleaned_data):
            return redirect("suppliers:contract_detail", contract_pk=contract.pk)
        return render_contract(request, _visible_contract(request, contract_pk), decision_form=form, status=400)


class ContractDocumentUploadView(RoleRequiredMixin, View):
    required_roles = DESK_ROLES

    def post(self, request, contract_pk):
        contract = _visible_contract(request, contract_pk)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid() and apply_service(request, form, services.contract_document_add, _("Document added."),
                                             contract=contract, by=request.user, upload=form.cleaned_data["file"],
                                             title=form.cleaned_data["title"]):
            return redirect("suppliers:contract_detail", contract_pk=contract.pk)
        return render_contract(request, contract, document_form=form, status=400)


class ContractDocumentDownloadView(RoleRequiredMixin, View):
    """Documents are only ever served as downloads, after the same visibility check as the contract."""

    required_roles = CONTRACT_ROLES

    def get(self, request, contract_pk, document_pk):
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=contract_pk)
        document = get_object_or_404(ContractDocument.objects.filter(contract=contract), pk=document_pk)
        response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                                content_type="application/octet-stream")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
