"""Pages of the loaner pool and charges (docs/decisions/0029)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from schooldesk.core.exports import export_response
from schooldesk.core.logs import note_school
from schooldesk.core.permissions import can
from schooldesk.core.views import (
    FilteredListView,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
    do_once,
    run_once,
)
from schooldesk.incidents.models import Incident
from schooldesk.loans import charges as charge_services
from schooldesk.loans import pool as pool_services
from schooldesk.loans.choices_pool import CHARGE_ROLES, POOL_ROLES, ChargeStatus
from schooldesk.loans.filtersets_pool import ChargeFilterSet
from schooldesk.loans.forms_pool import (
    ChargeExportForm,
    ChargeForm,
    ChargeStatusForm,
    LoanerAddForm,
    PoolSettingsForm,
    SwapBackForm,
    SwapInForm,
)
from schooldesk.loans.models_pool import Charge, Loaner, LoanSwap
from schooldesk.loans.selectors_pool import (
    charge_list,
    charge_totals,
    loans_for,
    pool_school_ids,
    pool_schools,
    pool_sections,
    swap_offer,
)
from schooldesk.loans.tables import CHARGE_EXPORT, CHARGE_PAGE
from schooldesk.schools.models import School


def _school(request, school_pk, permission: str = "loans.pool"):
    school = get_object_or_404(School.objects.visible_to(request.user), pk=school_pk)
    note_school(school.pk)
    if not can(request.user, permission, school):
        raise Http404
    return school


def _loan(request, loan_pk, roles=POOL_ROLES):
    loan = get_object_or_404(
        loans_for(user=request.user, roles=roles).select_related("school", "pupil", "person", "asset__asset_type"),
        pk=loan_pk,
    )
    note_school(loan.school_id)
    return loan


def _charge(request, charge_pk):
    charge = get_object_or_404(charge_list(user=request.user), pk=charge_pk)
    note_school(charge.school_id)
    return charge


# --- the pool -------------------------------------------------------------------------------------------------------
class PoolIndexView(PermissionRequiredMixin, TemplateView):
    """/loans/pool/: the person's one school's pool, or a list of their schools to choose from."""

    permission = "loans.pool"
    template_name = "loans/pool/pool_index.html"

    def get(self, request, *args, **kwargs):
        ids = pool_school_ids(user=request.user)
        if len(ids) == 1:
            return redirect("loans:pool_detail", school_pk=ids[0])
        schools = pool_schools(user=request.user)
        return self.render_to_response(self.get_context_data(schools=schools))


class PoolView(PermissionRequiredMixin, TemplateView):
    permission = "loans.pool"
    template_name = "loans/pool/pool_detail.html"

    def get_context_data(self, **kwargs):
        school = _school(self.request, self.kwargs["school_pk"])
        form = kwargs.pop("form", None) or LoanerAddForm(school=school)
        return super().get_context_data(
            school=school,
            form=form,
            pool=pool_services.pool_for(school),
            can_settle=can(self.request.user, "loans.pool_settings", school),
            can_charge=can(self.request.user, "loans.charge", school),
            **pool_sections(school),
            **kwargs,
        )


class LoanerAddView(PermissionRequiredMixin, View):
    permission = "loans.pool"

    def post(self, request, school_pk):
        school = _school(request, school_pk)
        form = LoanerAddForm(request.POST, school=school)
        if form.is_valid():
            result, url, repeat = run_once(
                request,
                form,
                lambda: pool_services.loaner_add(asset=form.cleaned_data["asset"], by=request.user),
                lambda _r: reverse("loans:pool_detail", kwargs={"school_pk": school.pk}),
            )
            if repeat is not None:
                return repeat
            if result is not None:
                messages.success(request, _("%(tag)s is in the loaner pool.") % {"tag": result.asset.tag})
                return redirect(url)
        view = PoolView(request=request, kwargs={"school_pk": school.pk})
        return render(request, view.template_name, view.get_context_data(form=form), status=400)


class LoanerRemoveView(PermissionRequiredMixin, View):
    permission = "loans.pool"

    def post(self, request, loaner_pk):
        loaner = get_object_or_404(Loaner.objects.visible_to(request.user).select_related("asset"), pk=loaner_pk)
        note_school(loaner.school_id)
        try:
            pool_services.loaner_remove(loaner=loaner, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("%(tag)s is out of the loaner pool.") % {"tag": loaner.asset.tag})
        return redirect("loans:pool_detail", school_pk=loaner.school_id)


class PoolSettingsView(FormPageView):
    permission = "loans.pool_settings"
    template_name = "loans/pool/pool_settings.html"
    context_object_name = "pool"
    success_message = gettext_lazy("The pool's settings are saved.")

    def get_object(self):
        return pool_services.pool_for(_school(self.request, self.kwargs["school_pk"], self.permission))

    def get_form(self, data=None, files=None):
        return PoolSettingsForm(data, instance=self.object)

    def perform(self, form):
        return pool_services.pool_settings_save(
            pool=form.save(commit=False), by=self.request.user, version=form.rendered_version
        )

    def get_success_url(self, result):
        return reverse("loans:pool_detail", kwargs={"school_pk": result.school_id})


# --- a loan's repairs and charges -----------------------------------------------------------------------------------
def loan_page_context(request, loan, **extra) -> dict:
    offer = swap_offer(user=request.user, loan=loan)
    swaps = LoanSwap.objects.filter(loan=loan).select_related(
        "original", "loaner", "incident", "swapped_by", "swapped_back_by"
    )
    can_charge = can(request.user, "loans.charge", loan)
    charges = list(Charge.objects.filter(loan=loan)) if can_charge else []
    if "swap_form" not in extra and offer.get("calls") is not None:
        extra["swap_form"] = SwapInForm(spares=offer["spares"], calls=offer["calls"])
    return {"loan": loan, "offer": offer, "swaps": swaps, "charges": charges, "can_charge": can_charge, **extra}


class LoanRepairsView(PermissionRequiredMixin, View):
    """A loan's device and its repairs: swap a loaner in or back; the loan's swaps and charges."""

    permission = "loans.pool"

    def get(self, request, loan_pk):
        loan = _loan(request, loan_pk)
        return render(request, "loans/pool/loan_repairs.html", loan_page_context(request, loan))


class SwapInView(PermissionRequiredMixin, ObjectActionView):
    permission = "loans.pool"

    def get_object(self):
        return _loan(self.request, self.kwargs["loan_pk"])

    def get_form(self, obj, data, files):
        calls = pool_services.repair_calls(obj.asset_id) if obj.returned_on is None else Incident.objects.none()
        return SwapInForm(data, spares=pool_services.spares(obj.school_id), calls=calls)

    def perform(self, obj, form):
        return pool_services.loaner_swap_in(
            loan=obj, loaner=form.cleaned_data["loaner"], incident=form.cleaned_data["incident"], by=self.request.user
        )

    def get_success_message(self, result):
        return _("%(borrower)s now has the loaner %(loaner)s; %(original)s is in repair.") % {
            "borrower": result.loan.borrower,
            "loaner": result.loaner.tag,
            "original": result.original.tag,
        }

    def get_success_url(self, obj):
        return (
            self.request.POST.get("next")
            if _safe_next(self.request)
            else reverse("loans:loan_repairs", kwargs={"loan_pk": obj.pk})
        )

    def render_failed(self, obj, form):
        return render(
            self.request,
            "loans/pool/loan_repairs.html",
            loan_page_context(self.request, obj, swap_form=form, failed=True),
            status=400,
        )


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


class SwapBackView(PermissionRequiredMixin, ObjectActionView):
    permission = "loans.pool"

    def get_object(self):
        swap = get_object_or_404(
            LoanSwap.objects.visible_to(self.request.user).select_related("loan"), pk=self.kwargs["swap_pk"]
        )
        note_school(swap.school_id)
        return swap

    def get_form(self, obj, data, files):
        return SwapBackForm(data)

    def perform(self, obj, form):
        return pool_services.loaner_swap_back(swap=obj, by=self.request.user)

    def get_success_message(self, result):
        return _("%(original)s is back with %(borrower)s; %(loaner)s is back in the pool.") % {
            "original": result.original.tag,
            "borrower": result.loan.borrower,
            "loaner": result.loaner.tag,
        }

    def get_success_url(self, obj):
        return (
            self.request.POST.get("next")
            if _safe_next(self.request)
            else reverse("loans:loan_repairs", kwargs={"loan_pk": obj.loan_id})
        )

    def render_failed(self, obj, form):
        loan = _loan(self.request, obj.loan_id)
        return render(
            self.request,
            "loans/pool/loan_repairs.html",
            loan_page_context(self.request, loan, back_form=form, failed=True),
            status=400,
        )


# --- charges --------------------------------------------------------------------------------------------------------
class ChargeListView(FilteredListView):
    model = Charge
    selector = charge_list
    permission = "loans.charge"
    filterset_class = ChargeFilterSet
    table = CHARGE_PAGE
    template_name = "loans/pool/charge_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = charge_totals(self.filterset.qs)
        context["export_form"] = kwargs.get("export_form") or ChargeExportForm()
        return context


class ChargeExportView(PermissionRequiredMixin, View):
    """The CSV for the school's finance or parent payment system: the charges not exported before (then marked), or
    those sent in a date range; within the list's filters (a school, a status)."""

    permission = "loans.charge"

    def get(self, request):
        return redirect("loans:charge_list")

    def post(self, request):
        form = ChargeExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or _("Check the export's choices."))
            return redirect("loans:charge_list")
        charges = ChargeFilterSet(request.GET or None, queryset=charge_list(user=request.user), request=request).qs
        data = form.cleaned_data
        new_only = data["which"] == ChargeExportForm.NEW
        if not new_only:
            charges = charges.filter(sent_at__date__gte=data["date_from"], sent_at__date__lte=data["date_to"])
        ids = pool_school_ids(user=request.user, roles=CHARGE_ROLES)
        if len(ids) == 1:
            note_school(ids[0])
        rows = charge_services.charges_export(charges=charges, by=request.user, new_only=new_only)
        return export_response(CHARGE_EXPORT, "csv", f"charges-{timezone.localdate():%Y-%m-%d}", rows)


class ChargeEditView(FormPageView):
    """Raise a charge against a loan (/loans/<loan>/charges/new/) or change a proposed one."""

    permission = "loans.charge"
    template_name = "loans/pool/charge_form.html"
    context_object_name = "charge"
    success_message = gettext_lazy("Charge saved. Nothing is sent until you mark it sent.")

    def get_object(self):
        if "charge_pk" in self.kwargs:
            return _charge(self.request, self.kwargs["charge_pk"])
        self.loan = _loan(self.request, self.kwargs["loan_pk"], CHARGE_ROLES)
        return Charge(loan=self.loan, school_id=self.loan.school_id)

    def get_form(self, data=None, files=None):
        return ChargeForm(data, files, instance=self.object)

    def get_context_data(self, **context):
        return {"loan": self.object.loan, **context}

    def perform(self, form):
        data = form.cleaned_data
        if self.object.pk:
            return charge_services.charge_update(
                charge=self.object,
                by=self.request.user,
                version=form.rendered_version,
                reason=data["reason"],
                description=data["description"],
                amount=data["amount"],
                photos=data["photos"],
            )
        return charge_services.charge_raise(
            loan=self.loan,
            by=self.request.user,
            reason=data["reason"],
            description=data["description"],
            amount=data["amount"],
            photos=data["photos"],
        )

    def get_success_url(self, result):
        return reverse("loans:charge_detail", kwargs={"charge_pk": result.pk})


def charge_page(request, charge, *, form=None, status=200):
    return render(
        request,
        "loans/pool/charge_detail.html",
        {
            "charge": charge,
            "loan": charge.loan,
            "photos": charge.photos.all(),
            "form": form or ChargeStatusForm(initial={"version": charge.version}),
            "next_statuses": [ChargeStatus(s) for s in charge_services.NEXT_STATUSES[charge.status]],
        },
        status=status,
    )


class ChargeDetailView(PermissionRequiredMixin, View):
    permission = "loans.charge"

    def get(self, request, charge_pk):
        return charge_page(request, _charge(request, charge_pk))


class ChargeStatusView(PermissionRequiredMixin, View):
    permission = "loans.charge"

    def post(self, request, charge_pk):
        charge = _charge(request, charge_pk)
        form = ChargeStatusForm(request.POST)
        status = request.POST.get("status", "")
        if form.is_valid():
            result, url, repeat = do_once(
                request,
                lambda: apply_service(
                    request,
                    form,
                    charge_services.charge_set_status,
                    "",
                    charge=charge,
                    by=request.user,
                    status=status,
                    version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                ),
                lambda r: reverse("loans:charge_detail", kwargs={"charge_pk": r.pk}),
            )
            if repeat is not None:
                return repeat
            if result is not None:
                messages.success(
                    request,
                    _("%(ref)s is %(status)s.")
                    % {"ref": result.reference, "status": result.get_status_display().lower()},
                )
                return redirect(url)
        return charge_page(request, _charge(request, charge_pk), form=form, status=400)


class ChargeLetterView(PermissionRequiredMixin, View):
    """The letter to parents or carers as PDF."""

    permission = "loans.charge"

    def get(self, request, charge_pk):
        charge = _charge(request, charge_pk)
        document = charge_services.charge_letter_pdf(charge=charge, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{charge.reference}-letter.pdf"'
        return response


class ChargePhotoView(PermissionRequiredMixin, View):
    permission = "loans.charge"

    def get(self, request, charge_pk, charge_photo_pk):
        charge = _charge(request, charge_pk)
        photo = get_object_or_404(charge.photos.all(), pk=charge_photo_pk)
        response = FileResponse(
            photo.file.open("rb"),
            as_attachment=True,
            filename=photo.original_name,
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
