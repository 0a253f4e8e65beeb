"""The pupil device scheme's pages: a loan, its return and photos, the reports and their CSV exports. Pupils are in
pupil_views.py, agreements in agreement_views.py, the scanning page in scanning.py."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.exports import export_response
from schooldesk.core.permissions import can
from schooldesk.core.views import ObjectActionView, PermissionRequiredMixin
from schooldesk.loans import forms, selectors, services
from schooldesk.loans.choices import PhotoStage
from schooldesk.loans.models import Loan, LoanPhoto
from schooldesk.loans.tables import LOAN_EXPORT


def loan_or_404(request, pk) -> Loan:
    try:
        return selectors.loan_get(user=request.user, pk=pk)
    except Loan.DoesNotExist as exc:
        raise Http404 from exc


def render_loan(request, loan, *, return_form=None, photo_form=None, status=200):
    is_open = loan.returned_on is None
    return render(
        request,
        "loans/loan_detail.html",
        {
            "loan": loan,
            "agreement": selectors.agreement_of(loan=loan),
            "photos": list(loan.photos.all()),
            "today": timezone.localdate(),
            "template": selectors.current_template(school_id=loan.school_id),
            "return_form": (return_form or forms.ReturnForm(loan=loan, initial={"status": "spare"}))
            if is_open
            else None,
            "photo_form": photo_form or forms.PhotoForm(prefix="out"),
            "may_charge": can(request.user, "loans.charge", loan),
        },
        status=status,
    )


class LoanDetailView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request, pk):
        return render_loan(request, loan_or_404(request, pk))


class LoanReturnView(PermissionRequiredMixin, ObjectActionView):
    """Take the device back: its condition, photos, whether its data was wiped, and where it goes now."""

    permission = "loans.lend"

    def get_object(self):
        return loan_or_404(self.request, self.kwargs["pk"])

    def get_form(self, loan, data, files):
        return forms.ReturnForm(data, files, loan=loan)

    def perform(self, loan, form):
        d = form.cleaned_data
        return services.loan_return(
            loan=loan,
            by=self.request.user,
            condition_in=d["condition_in"],
            is_data_wiped=d["is_data_wiped"],
            status=d["status"],
            location=d["location"],
            photos=d["photos"],
        )

    def get_success_message(self, result):
        return _("Returned.")

    def get_success_url(self, loan):
        return reverse("loans:loan_detail", args=[loan.pk])

    def render_failed(self, loan, form):
        return render_loan(self.request, loan, return_form=form, status=400)


class LoanPhotoAddView(PermissionRequiredMixin, ObjectActionView):
    """Photos of the condition at hand-out (after the loan is recorded: the scanning page records it first)."""

    permission = "loans.lend"

    def get_object(self):
        return loan_or_404(self.request, self.kwargs["pk"])

    def get_form(self, loan, data, files):
        return forms.PhotoForm(data, files, prefix="out")

    def perform(self, loan, form):
        stage = PhotoStage.OUT if loan.returned_on is None else PhotoStage.IN
        if not form.cleaned_data["photos"]:
            raise ValidationError({"photos": _("Choose a photo.")})
        for upload in form.cleaned_data["photos"]:  # one transaction (core/views.do_once): all or none
            services.photo_add(loan=loan, stage=stage, upload=upload, by=self.request.user)
        return loan

    def get_success_message(self, result):
        return _("Photos added.")

    def get_success_url(self, loan):
        return reverse("loans:loan_detail", args=[loan.pk])

    def render_failed(self, loan, form):
        return render_loan(self.request, loan, photo_form=form, status=400)


class LoanPhotoDownloadView(PermissionRequiredMixin, View):
    """Photos are served only as downloads, after the loan's own visibility check (as call attachments are)."""

    permission = "loans.lend"

    def get(self, request, pk, photo_pk):
        loan = loan_or_404(request, pk)
        photo = get_object_or_404(LoanPhoto.objects.filter(loan=loan), pk=photo_pk)
        response = FileResponse(
            photo.file.open("rb"),
            as_attachment=True,
            filename=photo.original_name,
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


# --- reports ------------------------------------------------------------------------------------------------
REPORTS = {
    "who": (gettext_lazy("Who has which device"), "loans:loan_list"),
    "overdue": (gettext_lazy("Overdue returns"), "loans:overdue"),
    "support": (gettext_lazy("Lent devices out of support"), "loans:out_of_support"),
}


def _report_rows(user, report: str, params):
    if report == "overdue":
        return selectors.overdue_loans(user=user)
    if report == "support":
        return selectors.out_of_support_on_loan(user=user)
    return selectors.who_has_what(user=user, year_group=params.get("year", ""), form=params.get("form", ""))


class LoanReportView(PermissionRequiredMixin, View):
    """Who has which device (by class and year group), the overdue returns, and lent devices past their support."""

    permission = "loans.lend"
    report = "who"

    def get(self, request):
        loans = _report_rows(request.user, self.report, request.GET)
        page = Paginator(loans, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "loans/loan_report.html",
            {
                "report": self.report,
                "title": REPORTS[self.report][0],
                "reports": REPORTS,
                "page_obj": page,
                "loans": page.object_list,
                "groups": selectors.classes_of(user=request.user),
                "today": timezone.localdate(),
                "year": request.GET.get("year", ""),
                "form": request.GET.get("form", ""),
                "query_without_page": query.urlencode(),
                "export_query": query.urlencode(),
            },
        )


class LoanExportView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request):
        report = request.GET.get("report", "who")
        if report not in REPORTS:
            raise Http404
        loans = _report_rows(request.user, report, request.GET).iterator(chunk_size=500)
        return export_response(LOAN_EXPORT, "csv", f"loans-{report}-{timezone.localdate():%Y-%m-%d}", loans)
