from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.assets.forms import freeze_choices
from schooldesk.core.exports import export_response
from schooldesk.core.permissions import can
from schooldesk.core.views import (
    FilteredListView,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
)
from schooldesk.licences import forms, services
from schooldesk.licences.choices import LICENCE_DESK_ROLES, LICENCE_KEY_ROLES, ComplianceState
from schooldesk.licences.filtersets import LicenceFilterSet
from schooldesk.licences.models import Allocation, Installation, Licence
from schooldesk.licences.selectors import (
    compliance_by_school,
    compliance_summary,
    licence_allocations,
    licence_get,
    licence_installations,
    licence_list,
    licence_school_ids,
)
from schooldesk.licences.tables import LICENCE_EXPORT, LICENCE_PAGE
from schooldesk.schools.models import School


def _licence_or_404(request, pk) -> Licence:
    try:
        return licence_get(user=request.user, pk=pk)
    except Licence.DoesNotExist as exc:
        raise Http404 from exc


class LicenceListView(FilteredListView):
    model = Licence
    selector = licence_list
    filterset_class = LicenceFilterSet
    table = LICENCE_PAGE
    permission = "licences.view"
    template_name = "licences/licence_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        freeze_choices(self.filterset.form)
        return context


class LicenceExportView(PermissionRequiredMixin, View):
    """The filtered list as CSV or Excel, without keys."""

    permission = "licences.view"

    def get(self, request):
        filterset = LicenceFilterSet(request.GET or None, queryset=licence_list(user=request.user), request=request)
        if filterset.is_bound and not filterset.is_valid():
            return redirect("licences:licence_list")
        licences = filterset.qs.order_by("school__name", "product", "pk")
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return export_response(LICENCE_EXPORT, fmt, f"licences-{timezone.localdate().isoformat()}", licences)


class ComplianceView(PermissionRequiredMixin, View):
    """In use against owned for every licence, worst first, and the school's position. Someone with many
    schools (an LA, a trust) first sees one line per school, then chooses a school to see its licences."""

    permission = "licences.view"
    MANY_SCHOOLS = 5

    def get(self, request):
        school_ids = licence_school_ids(user=request.user)
        licences = licence_list(user=request.user)
        school = request.GET.get("school", "")
        chosen = None
        if school.isdigit() and int(school) in school_ids:
            chosen = School.objects.get(pk=int(school))
            licences = licences.filter(school_id=chosen.pk)
        context = {
            "schools": School.objects.filter(pk__in=school_ids).only("id", "name"),
            "chosen": chosen,
            "query_without_page": f"school={chosen.pk}" if chosen else "",
            "by_school": None,
            "rows": None,
        }
        if chosen is None and len(school_ids) > 1:
            rows, context["summary"] = compliance_by_school(licences)
            schools_page = Paginator(rows, 50).get_page(request.GET.get("page"))  # worst schools first
            context.update(by_school=schools_page.object_list, page_obj=schools_page)
        else:
            context["summary"] = compliance_summary(licences)
        if chosen is not None or len(school_ids) <= self.MANY_SCHOOLS:
            page = Paginator(licences.order_by("state_order", "product", "pk"), 50).get_page(request.GET.get("page"))
            context.update(page_obj=page, rows=page.object_list)
        return render(request, "licences/compliance.html", context)


def _who(licence, user) -> dict:
    """What the licence's page offers this person: the rules the services ask (permissions/rules.py)."""
    return {
        "is_desk": can(user, "licences.change", licence),
        "can_see_keys": can(user, "licences.see_key", licence),
        "may_allocate": can(user, "licences.allocate", licence),
    }


def render_licence(request, licence, bound=None, status=200):
    who = _who(licence, request.user)
    available = {}
    if who["may_allocate"]:
        available = {
            "allocate": forms.AllocationForm(licence=licence),
            "install": forms.InstallationForm(licence=licence),
        }
    if bound is not None:
        available[bound[0]] = bound[1]
    return render(
        request,
        "licences/licence_detail.html",
        {
            "licence": licence,
            "allocations": licence_allocations(licence=licence),
            "installations": licence_installations(licence=licence),
            "forms": available,
            "failed": bound[0] if bound else None,
            "states": dict(ComplianceState.choices),
            **who,
        },
        status=status,
    )


class LicenceDetailView(PermissionRequiredMixin, View):
    permission = "licences.view"

    def get(self, request, pk):
        return render_licence(request, _licence_or_404(request, pk))


class LicenceEditView(FormPageView):
    permission = "licences.change"
    template_name = "licences/licence_form.html"
    context_object_name = "licence"
    success_message = gettext_lazy("Licence saved.")

    def get_object(self):
        self.school_ids = licence_school_ids(user=self.request.user, roles=LICENCE_DESK_ROLES)
        pk = self.kwargs.get("pk")
        licence = Licence() if pk is None else _licence_or_404(self.request, pk)
        if pk is not None:
            self.require_in(licence)
        return licence

    def get_form(self, data=None, files=None):
        return forms.LicenceForm(data, files, instance=self.object, school_ids=self.school_ids)

    def perform(self, form):
        return services.licence_save(
            licence=form.instance,
            by=self.request.user,
            proof=form.cleaned_data.get("proof_upload"),
            version=form.rendered_version,
        )

    def get_success_url(self, result):
        return reverse("licences:licence_detail", args=[result.pk])


class LicenceDeleteView(PermissionRequiredMixin, View):
    permission = "licences.change"

    def post(self, request, pk):
        licence = _licence_or_404(request, pk)
        self.require_in(licence)
        services.licence_delete(licence=licence, by=request.user)
        messages.success(request, _("“%(product)s” deleted.") % {"product": licence.product})
        return redirect("licences:licence_list")


class ProofDownloadView(PermissionRequiredMixin, View):
    """The proof of purchase, only as a download, for those who may see keys and invoices."""

    permission = "licences.see_key"

    def get(self, request, pk):
        licence = _licence_or_404(request, pk)
        self.require_in(licence)
        if not licence.proof:
            raise Http404
        response = FileResponse(
            licence.proof.open("rb"),
            as_attachment=True,
            filename=licence.proof_name,
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class LicenceActionView(PermissionRequiredMixin, ObjectActionView):
    """POST: allocate seats, or record an installation; a failed form re-renders the licence page."""

    permission = "licences.allocate"

    def get_object(self):
        licence = _licence_or_404(self.request, self.kwargs["pk"])
        self.require_in(licence)
        return licence

    def get_form(self, licence, data, files):
        form_class = forms.AllocationForm if self.action == "allocate" else forms.InstallationForm
        return form_class(data, licence=licence)

    def perform(self, licence, form):
        d, by = form.cleaned_data, self.request.user
        if self.action == "allocate":
            return services.allocation_add(
                licence=licence,
                by=by,
                asset=d["asset"],
                person=d["person"],
                location=d["location"],
                quantity=d["quantity"],
                note=d["note"],
                over_allocate=d["over_allocate"],
            )
        return services.installation_add(
            licence=licence, asset=d["asset"], by=by, version=d["version"], installed_on=d["installed_on"]
        )

    def get_success_message(self, result):
        return _("Seats allocated.") if self.action == "allocate" else _("Installation recorded.")

    def get_success_url(self, licence):
        return reverse("licences:licence_detail", args=[licence.pk])

    def render_failed(self, licence, form):
        return render_licence(self.request, licence, bound=(self.action, form), status=400)


class LicenceLinkRemoveView(PermissionRequiredMixin, View):
    """POST: remove an allocation or an installation of this licence."""

    permission = "licences.allocate"
    model = Allocation

    def post(self, request, pk, **kwargs):
        licence = _licence_or_404(request, pk)
        self.require_in(licence)
        if self.model is Allocation:
            allocation = get_object_or_404(Allocation, pk=kwargs["allocation_pk"], licence=licence)
            services.allocation_remove(allocation=allocation, by=request.user)
        else:
            installation = get_object_or_404(Installation, pk=kwargs["installation_pk"], licence=licence)
            services.installation_remove(installation=installation, by=request.user)
        messages.success(request, _("Removed."))
        return redirect("licences:licence_detail", pk=licence.pk)


class InstallationImportView(PermissionRequiredMixin, View):
    permission = "licences.allocate"

    def _form(self, request, data=None, files=None):
        school_ids = licence_school_ids(user=request.user, roles=LICENCE_KEY_ROLES)
        return forms.InstallationImportForm(data, files, school_ids=school_ids)

    def get(self, request):
        return render(request, "licences/installation_import.html", {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            result = apply_service(
                request,
                form,
                services.installations_import,
                "",
                school=form.owner,
                upload=form.cleaned_data["file"],
                by=request.user,
            )
            if result is not None:
                done = _("%(added)s installations recorded (%(skipped)s rows already known).") % result
                messages.success(request, done)
                return redirect("licences:compliance")
        return render(request, "licences/installation_import.html", {"form": form}, status=400)
