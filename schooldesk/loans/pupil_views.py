"""The pupils of a school: a list (search, by year group and class), add and edit, and the class-list import."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.accounts.models import Pupil
from schooldesk.core.views import FormPageView, PermissionRequiredMixin, already_sent, do_once
from schooldesk.loans import forms, selectors, services
from schooldesk.loans.pupil_import import COLUMNS, pupil_import_apply, pupil_import_check


class PupilListView(PermissionRequiredMixin, View):
    permission = "loans.lend"

    def get(self, request):
        params = request.GET
        pupils = selectors.pupil_list(
            user=request.user,
            q=params.get("q", ""),
            year_group=params.get("year", ""),
            form=params.get("form", ""),
            active_only=params.get("left") != "1",
        )
        page = Paginator(pupils, 50).get_page(params.get("page"))
        open_loans = {
            loan.pupil_id: loan
            for loan in selectors.loans_for(user=request.user).open().filter(pupil__in=[p.pk for p in page.object_list])
        }
        query = params.copy()
        query.pop("page", None)
        context = {
            "page_obj": page,
            "rows": [(p, open_loans.get(p.pk)) for p in page.object_list],
            "groups": selectors.classes_of(user=request.user),
            "q": params.get("q", ""),
            "year": params.get("year", ""),
            "form": params.get("form", ""),
            "left": params.get("left") == "1",
            "query_without_page": query.urlencode(),
            "is_filtered": any(params.get(k) for k in ("q", "year", "form", "left")),
        }
        if request.headers.get("HX-Request"):
            return render(request, "loans/_pupil_results.html", context)
        return render(request, "loans/pupil_list.html", context)


class PupilEditView(FormPageView):
    permission = "loans.lend"
    template_name = "loans/pupil_form.html"
    context_object_name = "pupil"
    success_message = gettext_lazy("Pupil saved.")

    def get_object(self):
        pk = self.kwargs.get("pupil_pk")
        if not pk:
            return Pupil()
        pupil = selectors.pupils_for(user=self.request.user).filter(pk=pk).first()
        if pupil is None:
            raise Http404
        return pupil

    def get_form(self, data=None, files=None):
        return forms.PupilForm(data, instance=self.object, school_ids=selectors.loan_school_ids(user=self.request.user))

    def perform(self, form):
        version = form.cleaned_data.get("version") if self.object.pk else None
        return services.pupil_save(pupil=form.instance, by=self.request.user, version=version)

    def get_success_url(self, result):
        return reverse("loans:pupil_list") + "?" + urlencode({"q": result.last_name})


class PupilImportView(PermissionRequiredMixin, View):
    """Upload a class list: every bad row is named and nothing is written; a good list is shown, then imported."""

    permission = "loans.lend"

    def _schools(self, request):
        return selectors.loan_schools(user=request.user)

    def _render(self, request, status=200, **context):
        return render(
            request,
            "loans/pupil_import.html",
            {"schools": self._schools(request), "columns": COLUMNS, **context},
            status=status,
        )

    def _school(self, request):
        schools = list(self._schools(request))
        wanted = request.POST.get("school", "")
        chosen = next((s for s in schools if str(s.pk) == wanted), None)
        return chosen or (schools[0] if len(schools) == 1 else None)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        school = self._school(request)
        if school is None:
            return self._render(request, status=400, errors=[_("Choose the school.")])
        if "rows" in request.POST:  # the confirmation of a checked list
            if (repeat := already_sent(request)) is not None:
                return repeat

            def work():
                try:
                    return pupil_import_apply(school=school, signed=request.POST["rows"], by=request.user)
                except ValidationError as exc:
                    self.failure = exc.messages
                    return None

            self.failure = []
            count, url, repeat = do_once(request, work, lambda _n: reverse("loans:pupil_list"))
            if repeat is not None:
                return repeat
            if count is None:
                return self._render(request, status=400, errors=self.failure)
            from django.contrib import messages

            messages.success(request, _("%(n)s pupils imported.") % {"n": count})
            return redirect(url)
        upload = request.FILES.get("file")
        if upload is None:
            return self._render(request, status=400, errors=[_("Choose the file of the class list.")])
        try:
            check = pupil_import_check(school=school, upload=upload, by=request.user)
        except ValidationError as exc:
            return self._render(request, status=400, errors=exc.messages, school=school)
        return self._render(
            request,
            status=200 if check.is_valid else 400,
            check=check,
            school=school,
            signed=check.signed(school.pk, request.user.pk) if check.is_valid else "",
        )
