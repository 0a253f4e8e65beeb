from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from schooldesk.core.calendar import bank_holidays
from schooldesk.core.views import PermissionRequiredMixin, already_sent, apply_service, do_once
from schooldesk.schools import services
from schooldesk.schools.forms import CategoryForm, ClosureForm, PriorityMatrixForm, SchoolSettingsForm, TermForm
from schooldesk.schools.models import Closure, School, Term
from schooldesk.schools.selectors import desk_schools


class SchoolListView(PermissionRequiredMixin, ListView):
    permission = "schools.change"
    template_name = "schools/school_list.html"

    def get_queryset(self):
        return desk_schools(user=self.request.user).select_related("organisation", "spoc")

    def get(self, request, *args, **kwargs):
        schools = list(self.get_queryset()[:2])
        if len(schools) == 1:
            return redirect("schools:school_detail", pk=schools[0].pk)
        return super().get(request, *args, **kwargs)


class SchoolDetailView(PermissionRequiredMixin, View):
    """All of a school's desk settings on one page, each form posting to its own URL."""

    permission = "schools.change"

    def context(self, school, **forms):
        today = timezone.localdate()
        upcoming = sorted(
            (day, name)
            for year in (today.year, today.year + 1)
            for day, name in bank_holidays(school.nation, year).items()
            if today <= day <= today + timedelta(days=365)
        )[:8]
        terms = Term.objects.filter(school=school)
        has_next_term = terms.filter(ends_on__gte=today + timedelta(days=120)).exists()
        return {
            "school": school,
            "settings_form": forms.get("settings_form") or SchoolSettingsForm(instance=school, prefix="s"),
            "matrix_form": forms.get("matrix_form") or PriorityMatrixForm(school=school, prefix="m"),
            "term_form": forms.get("term_form") or TermForm(prefix="t"),
            "closure_form": forms.get("closure_form") or ClosureForm(prefix="c"),
            "category_form": forms.get("category_form") or CategoryForm(prefix="g"),
            "terms": terms,
            "closures": Closure.objects.filter(school=school),
            "categories": school.category_set.all(),  # the incidents app's (views_categories: its pages)
            "bank_holidays": upcoming,
            "missing_terms": school.is_term_time_only and not has_next_term,
        }

    def get(self, request, pk):
        school = get_object_or_404(desk_schools(user=request.user), pk=pk)
        return render(request, "schools/school_detail.html", self.context(school))


class SchoolSectionView(PermissionRequiredMixin, View):
    """POST one section of the settings page; errors re-render the page with the typed values."""

    permission = "schools.change"
    section = ""

    def post(self, request, pk):
        school = get_object_or_404(desk_schools(user=request.user), pk=pk)
        if (repeat := already_sent(request)) is not None:  # the same form sent twice
            return repeat
        handler = getattr(self, f"post_{self.section}")
        failed = {}

        def work():
            result = handler(request, school)
            if result is True:
                return True
            failed.update(result)
            return None

        done, url, repeat = do_once(request, work, lambda _done: f"/schools/{school.pk}/#{self.section}")
        if repeat is not None:
            return repeat
        if done:
            return redirect(url)
        return render(request, "schools/school_detail.html", SchoolDetailView().context(school, **failed), status=400)

    def post_settings(self, request, school):
        form = SchoolSettingsForm(request.POST, instance=School.objects.get(pk=school.pk), prefix="s")
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            if apply_service(
                request,
                form,
                services.school_update,
                _("Settings saved."),
                school=school,
                by=request.user,
                version=form.rendered_version,
                **fields,
            ):
                return True
        return {"settings_form": form}

    def post_matrix(self, request, school):
        form = PriorityMatrixForm(request.POST, school=school, prefix="m")
        if form.is_valid():
            matrix, targets = form.matrix(), form.targets()
            if form.is_valid() and apply_service(
                request,
                form,
                services.school_update,
                _("Priorities and targets saved."),
                school=school,
                by=request.user,
                version=form.rendered_version,
                priority_matrix=matrix,
                sla_targets=targets,
            ):
                return True
        return {"matrix_form": form}

    def post_term(self, request, school):
        form = TermForm(request.POST, instance=Term(school=school), prefix="t")
        if form.is_valid() and apply_service(
            request, form, services.term_save, _("Term added."), term=form.instance, by=request.user
        ):
            return True
        return {"term_form": form}

    def post_closure(self, request, school):
        form = ClosureForm(request.POST, instance=Closure(school=school), prefix="c")
        if form.is_valid() and apply_service(
            request, form, services.closure_save, _("Closure added."), closure=form.instance, by=request.user
        ):
            return True
        return {"closure_form": form}


class CalendarEntryDeleteView(PermissionRequiredMixin, View):
    permission = "schools.change"
    model = Term

    def post(self, request, pk, entry_pk):
        school = get_object_or_404(desk_schools(user=request.user), pk=pk)
        entry = get_object_or_404(self.model.objects.filter(school=school), pk=entry_pk)
        try:
            services.calendar_entry_delete(entry=entry, by=request.user)
            messages.success(request, _("“%(name)s” removed.") % {"name": entry})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"/schools/{school.pk}/#calendar")
