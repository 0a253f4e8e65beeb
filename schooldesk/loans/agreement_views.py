"""The agreement's pages: the school's template and its versions, signing a loan's agreement, the signed PDF."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.throttling import client_address
from schooldesk.core.views import FormPageView, PermissionRequiredMixin
from schooldesk.loans import agreements, forms, selectors
from schooldesk.loans.choices import PLACEHOLDERS
from schooldesk.loans.models import Agreement, AgreementTemplate
from schooldesk.loans.views import loan_or_404
from schooldesk.reports.exports import pdf_response


class AgreementTemplateListView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request):
        return render(
            request,
            "loans/agreementtemplate_list.html",
            {"templates": selectors.templates_for(user=request.user)[:200]},
        )


class AgreementTemplateEditView(FormPageView):
    """Write the agreement, or its next version starting from an earlier one (`?from=<pk>`)."""

    permission = "loans.lend"
    template_name = "loans/agreementtemplate_form.html"
    context_object_name = "template"
    success_message = gettext_lazy("Agreement saved as a new version.")

    def get_object(self):
        return AgreementTemplate()

    def get_form(self, data=None, files=None):
        initial, school_ids = {}, selectors.loan_school_ids(user=self.request.user)
        wanted = self.request.GET.get("from", "")
        if wanted.isdigit():
            earlier = selectors.templates_for(user=self.request.user).filter(pk=int(wanted)).first()
            if earlier is not None:
                initial = {"title": earlier.title, "body": earlier.body}
                school_ids = [earlier.school_id]
        return forms.AgreementTemplateForm(data, instance=self.object, school_ids=school_ids, initial=initial)

    def get_context_data(self, **context):
        return {**context, "placeholders": PLACEHOLDERS}

    def perform(self, form):
        return agreements.agreement_template_save(
            school=form.owner, title=form.cleaned_data["title"], body=form.cleaned_data["body"], by=self.request.user
        )

    def get_success_url(self, result):
        return reverse("loans:agreementtemplate_list")


class AgreementSignView(FormPageView):
    """A loan's agreement, read and signed on the desk's screen (a tablet at the hand-out table), or its paper
    copy uploaded."""

    permission = "loans.lend"
    template_name = "loans/agreement_sign.html"
    context_object_name = "loan"
    success_message = gettext_lazy("Agreement signed.")

    def get_object(self):
        loan = loan_or_404(self.request, self.kwargs["pk"])
        if selectors.agreement_of(loan=loan) is not None:
            raise Http404
        return loan

    def get_form(self, data=None, files=None):
        loan = self.object
        relationship = "parent" if loan.pupil_id else "staff"
        name = (loan.pupil.parent_name if loan.pupil_id else str(loan.person)) or ""
        return forms.SignForm(data, files, initial={"relationship": relationship, "signer_name": name})

    def get_context_data(self, **context):
        template = selectors.current_template(school_id=self.object.school_id)
        text = agreements.agreement_text(template, self.object) if template else ""
        return {**context, "agreement_template": template, "text": text}

    def perform(self, form):
        d = form.cleaned_data
        return agreements.agreement_sign(
            loan=self.object,
            by=self.request.user,
            signer_name=d["signer_name"],
            relationship=d["relationship"],
            method=d["method"],
            signature=d["signature"],
            typed_signature=d["typed_signature"],
            scan=d["scan"],
            ip_address=client_address(self.request),
        )

    def get_success_url(self, result):
        return reverse("loans:loan_detail", args=[result.loan_id])


class AgreementPdfView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request, pk):
        loan = loan_or_404(request, pk)
        agreement = selectors.agreement_of(loan=loan)
        if agreement is None:
            raise Http404
        return pdf_response(
            request,
            "loans/agreement_pdf.html",
            {"loan": loan, "agreement": agreement, "signature": agreements.signature_data_uri(agreement)},
            f"agreement-{loan.asset.tag}-{agreement.signed_at:%Y-%m-%d}.pdf",
        )


class AgreementScanDownloadView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request, pk):
        loan = loan_or_404(request, pk)
        agreement = get_object_or_404(Agreement.objects.filter(loan=loan).exclude(scan=""))
        response = FileResponse(
            agreement.scan.open("rb"),
            as_attachment=True,
            filename=agreement.scan_name or "agreement",
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
