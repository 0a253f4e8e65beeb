from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from schooldesk.core.permissions import can, require
from schooldesk.core.views import (
    FilteredListView,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
)
from schooldesk.suppliers import services
from schooldesk.suppliers.filtersets import ContractFilterSet, SupplierFilterSet
from schooldesk.suppliers.forms import (
    ContactForm,
    ContractForm,
    DecisionForm,
    DocumentForm,
    SuggestionDecisionForm,
    SuggestionForm,
    SupplierForm,
)
from schooldesk.suppliers.models import Contact, Contract, ContractDocument, Supplier
from schooldesk.suppliers.selectors import (
    contract_get,
    contract_list,
    contract_list_by_end,
    contracts_needing_decision,
    desk_organisation_ids,
    managed_organisation_ids,
    suggestions_waiting,
    supplier_get,
    supplier_list,
    supplier_performance,
    supplier_suggestions,
)
from schooldesk.suppliers.tables import CONTRACT_PAGE, SUPPLIER_PAGE


def _managed_supplier(request, pk) -> Supplier:
    """A supplier the person may change: another organisation's is a 404; their own LA's, seen from one school's
    desk, is refused (403): they suggest a change instead."""
    supplier = get_object_or_404(supplier_list(user=request.user), pk=pk)
    message = _("Your organisation's officers change this shared supplier: suggest a change.")
    require(request.user, "suppliers.change", supplier, message=message)
    return supplier


class SupplierListView(FilteredListView):
    model = Supplier
    selector = supplier_list
    filterset_class = SupplierFilterSet
    table = SUPPLIER_PAGE
    permission = "suppliers.view"
    template_name = "suppliers/supplier_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        managed = managed_organisation_ids(user=self.request.user)
        waiting = list(suggestions_waiting(organisation_ids=managed)) if managed else []
        can_add_supplier = can(self.request.user, "suppliers.change")
        return super().get_context_data(can_add_supplier=can_add_supplier, waiting=waiting, **kwargs)


class SupplierDetailView(PermissionRequiredMixin, View):
    """The supplier, how to escalate to them (contacts in order), their contracts and performance."""

    permission = "suppliers.view"

    def get(self, request, pk):
        try:
            supplier = supplier_get(user=request.user, pk=pk)
        except Supplier.DoesNotExist as exc:
            raise Http404 from exc
        contracts = list(contract_list(user=request.user).filter(supplier=supplier).order_by("-starts_on"))
        today = timezone.localdate()
        performance = supplier_performance(user=request.user, supplier_id=supplier.pk, contracts=contracts, today=today)
        return render_supplier(request, supplier, contracts=contracts, performance=performance, today=today)


def render_supplier(request, supplier, *, contracts=None, performance=None, today=None, failed=None, status=200):
    """The supplier's page; `failed` = (suggestion, bound form) when an officer's decision on it was refused."""
    if contracts is None:
        contracts = list(contract_list(user=request.user).filter(supplier=supplier).order_by("-starts_on"))
        today = timezone.localdate()
        performance = supplier_performance(user=request.user, supplier_id=supplier.pk, contracts=contracts, today=today)
    can_edit = can(request.user, "suppliers.change", supplier)
    suggestions = supplier_suggestions(user=request.user, supplier=supplier, managing=can_edit)
    return render(
        request,
        "suppliers/supplier_detail.html",
        {
            "object": supplier,
            "contracts": contracts,
            "performance": performance,
            "today": today,
            "can_edit": can_edit,
            "can_add_contract": can(request.user, "suppliers.add_contract", supplier),
            "can_suggest": not can_edit and can(request.user, "suppliers.suggest", supplier),
            "suggestions": suggestions,
            "failed": failed,
        },
        status=status,
    )


class SupplierEditView(FormPageView):
    permission = "suppliers.change"
    template_name = "suppliers/supplier_form.html"
    context_object_name = "supplier"
    success_message = gettext_lazy("Supplier saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk:
            return _managed_supplier(self.request, pk)
        message = _("Your organisation's officers add its shared suppliers.")
        require(self.request.user, "suppliers.change", message=message)
        return Supplier()

    def get_form(self, data=None, files=None):
        organisation_ids = managed_organisation_ids(user=self.request.user)
        return SupplierForm(data, instance=self.object, organisation_ids=organisation_ids)

    def perform(self, form):
        return services.supplier_save(supplier=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("suppliers:supplier_detail", args=[result.pk])


class ContactEditView(FormPageView):
    permission = "suppliers.change"
    template_name = "suppliers/contact_form.html"
    context_object_name = "contact"
    success_message = gettext_lazy("Contact saved.")

    def get_object(self):
        self.supplier = _managed_supplier(self.request, self.kwargs["pk"])
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


class ContactDeleteView(PermissionRequiredMixin, View):
    permission = "suppliers.change"

    def post(self, request, pk, contact_pk):
        contact = get_object_or_404(_managed_supplier(request, pk).contacts, pk=contact_pk)
        services.contact_delete(contact=contact, by=request.user)
        messages.success(request, _("Contact removed."))
        return redirect("suppliers:supplier_detail", pk=pk)


class SupplierSuggestView(FormPageView):
    """A school's desk suggests a change to its organisation's shared supplier or one of its contacts."""

    permission = "suppliers.suggest"
    template_name = "suppliers/suggestion_form.html"
    context_object_name = "supplier"
    success_message = gettext_lazy("Thank you: your suggestion has been sent to the organisation's officers.")

    def get_object(self):
        try:
            supplier = supplier_get(user=self.request.user, pk=self.kwargs["pk"])
        except Supplier.DoesNotExist as exc:
            raise Http404 from exc
        self.require_in(supplier)
        contact_pk = self.kwargs.get("contact_pk")
        self.contact = get_object_or_404(supplier.contacts, pk=contact_pk) if contact_pk else None
        return supplier

    def get_form(self, data=None, files=None):
        return SuggestionForm(data, for_contact=self.contact is not None)

    def get_context_data(self, **context):
        return {**context, "contact": self.contact}

    def perform(self, form):
        return services.supplier_suggest(
            supplier=self.object, contact=self.contact, by=self.request.user, **form.cleaned_data
        )

    def get_success_url(self, result):
        return reverse("suppliers:supplier_detail", args=[self.object.pk])


class SupplierSuggestionDecideView(PermissionRequiredMixin, ObjectActionView):
    """An officer accepts (the change is made) or declines (with a reason) a school's suggestion."""

    permission = "suppliers.change"

    def get_object(self):
        supplier = get_object_or_404(supplier_list(user=self.request.user), pk=self.kwargs["pk"])
        return get_object_or_404(supplier.suggestions.select_related("supplier"), pk=self.kwargs["suggestion_pk"])

    def get_form(self, obj, data, files):
        return SuggestionDecisionForm(data)

    def perform(self, obj, form):
        return services.supplier_suggestion_decide(
            suggestion=obj,
            by=self.request.user,
            accept=self.request.POST.get("decision") == "accept",
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, result):
        return (
            _("Suggestion accepted: the change is made.")
            if result.status == "accepted"
            else _("Suggestion declined. The school can read your reason.")
        )

    def get_success_url(self, obj):
        return reverse("suppliers:supplier_detail", args=[obj.supplier_id])

    def render_failed(self, obj, form):
        supplier = supplier_get(user=self.request.user, pk=obj.supplier_id)
        return render_supplier(self.request, supplier, failed=(obj.pk, form), status=400)


# --- contracts --------------------------------------------------------------------------------
class ContractListView(FilteredListView):
    model = Contract
    selector = contract_list_by_end
    filterset_class = ContractFilterSet
    table = CONTRACT_PAGE
    permission = "suppliers.view"
    template_name = "suppliers/contract_list.html"


class ContractDecisionsView(PermissionRequiredMixin, TemplateView):
    """What needs a decision: notice dates and ends within 90, 60 and 30 days."""

    permission = "suppliers.view"
    template_name = "suppliers/contract_decisions.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        services.contracts_roll_forward(today=today)  # exact even when the worker has not run today
        monitor = contracts_needing_decision(user=self.request.user, today=today)
        return super().get_context_data(monitor=monitor, **kwargs)


def _visible_contract(request, pk) -> Contract:
    try:
        return contract_get(user=request.user, pk=pk)
    except Contract.DoesNotExist as exc:
        raise Http404 from exc


def render_contract(request, contract, *, decision_form=None, document_form=None, status=200):

    today = timezone.localdate()
    performance = supplier_performance(
        user=request.user, supplier_id=contract.supplier_id, contracts=[contract], today=today, since=contract.starts_on
    )
    decisions = list(contract.decisions.all())
    return render(
        request,
        "suppliers/contract_detail.html",
        {
            "contract": contract,
            "today": today,
            "performance": performance["contracts"][0][1] if performance["contracts"] else None,
            "can_manage": can(request.user, "suppliers.manage_contract", contract),
            "decision_form": decision_form or DecisionForm(),
            "document_form": document_form or DocumentForm(),
            "failed": status != 200,
            "current_decision": next((d for d in decisions if d.term_ends_on == contract.term_ends_on), None),
            "latest_decision": decisions[0] if decisions else None,
        },
        status=status,
    )


class ContractDetailView(PermissionRequiredMixin, View):
    permission = "suppliers.view"

    def get(self, request, contract_pk):
        return render_contract(request, _visible_contract(request, contract_pk))


class ContractEditView(FormPageView):
    permission = "suppliers.manage_contract"
    template_name = "suppliers/contract_form.html"
    context_object_name = "contract"
    success_message = gettext_lazy("Contract saved.")

    def get_object(self):
        request, contract_pk = self.request, self.kwargs.get("contract_pk")
        if not contract_pk:
            supplier = request.GET.get("supplier")
            contract = Contract(supplier_id=int(supplier)) if supplier and supplier.isdigit() else Contract()
            if (
                contract.supplier_id
                and not Supplier.objects.filter(
                    pk=contract.supplier_id, organisation_id__in=desk_organisation_ids(user=request.user)
                ).exists()
            ):
                contract.supplier_id = None
            return contract
        contract = _visible_contract(request, contract_pk)
        self.require_in(contract)
        return contract

    def get_form(self, data=None, files=None):
        contract = self.object
        initial = {"supplier": contract.supplier_id} if contract.supplier_id and not contract.pk else None
        return ContractForm(data, instance=contract, user=self.request.user, initial=initial)

    def perform(self, form):
        return services.contract_save(
            contract=form.instance,
            by=self.request.user,
            shares=form.shares,
            locations=list(form.cleaned_data["locations"]),
            version=form.rendered_version,
        )

    def get_success_url(self, result):
        return reverse("suppliers:contract_detail", kwargs={"contract_pk": result.pk})


class ContractDecideView(PermissionRequiredMixin, View):
    permission = "suppliers.manage_contract"

    def post(self, request, contract_pk):
        contract = _visible_contract(request, contract_pk)
        form = DecisionForm(request.POST)
        if form.is_valid() and apply_service(
            request,
            form,
            services.contract_decide,
            _("Decision recorded."),
            contract=contract,
            by=request.user,
            **form.cleaned_data,
        ):
            return redirect("suppliers:contract_detail", contract_pk=contract.pk)
        return render_contract(request, _visible_contract(request, contract_pk), decision_form=form, status=400)


class ContractDocumentUploadView(PermissionRequiredMixin, View):
    permission = "suppliers.manage_contract"

    def post(self, request, contract_pk):
        contract = _visible_contract(request, contract_pk)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid() and apply_service(
            request,
            form,
            services.contract_document_add,
            _("Document added."),
            contract=contract,
            by=request.user,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        ):
            return redirect("suppliers:contract_detail", contract_pk=contract.pk)
        return render_contract(request, contract, document_form=form, status=400)


class ContractDocumentDownloadView(PermissionRequiredMixin, View):
    """Documents are only ever served as downloads, after the same visibility check as the contract."""

    permission = "suppliers.view"

    def get(self, request, contract_pk, document_pk):
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=contract_pk)
        document = get_object_or_404(ContractDocument.objects.filter(contract=contract), pk=document_pk)
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
