from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.assets.selectors import replacement_cost
from schooldesk.budgets.forms import BudgetForm
from schooldesk.budgets.selectors import budget_lines, budget_schools, budget_vs_spend, years_for
from schooldesk.budgets.services import budget_set, budget_version
from schooldesk.core.permissions import can, require
from schooldesk.core.views import PermissionRequiredMixin, already_sent, run_once
from schooldesk.diary.selectors import financial_year

LIST_LIMIT = 500


class BudgetListView(PermissionRequiredMixin, View):
    """Each school's ICT budget for its current financial year against what is committed and paid."""

    permission = "budgets.view"

    def get(self, request):
        today = timezone.localdate()
        schools = list(budget_schools(user=request.user)[:LIST_LIMIT])
        data = budget_vs_spend(user=request.user, years=years_for(schools, today))
        rows = [
            {
                "school": s,
                "year": data["years"][s.pk],
                "line": data["schools"].get(s.pk),
                "can_set": can(request.user, "budgets.set", s),
            }
            for s in schools
        ]
        return render(request, "budgets/budget_list.html", {"rows": rows, "data": data})


class BudgetEditView(PermissionRequiredMixin, View):
    """One school's budget lines for a financial year: set by the ICT owner, read by the desk and governors."""

    permission = "budgets.view"

    def setup_school(self, request, school_pk):
        school = get_object_or_404(budget_schools(user=request.user), pk=school_pk)
        current = financial_year(school.financial_year_start_month, timezone.localdate())
        wanted = request.POST.get("year") or request.GET.get("year") or ""
        year = int(wanted) if wanted.isdecimal() and 2000 <= int(wanted) <= 2100 else current.starts_on.year
        can_set = can(request.user, "budgets.set", school)
        return school, year, can_set, current

    def render_page(self, request, school, year, can_set, current, form=None, status=200):
        data = budget_vs_spend(user=request.user, years=years_for([school], year=year))
        form = form or BudgetForm(
            initial=budget_lines(user=request.user, school=school, year=year),
            editable=can_set,
            version=budget_version(school, year) if can_set else "",
        )
        years = [current.starts_on.year + n for n in (-2, -1, 0, 1)]
        # beside the budget lines: what replacing the equipment whose support ends in the year would cost
        replacing = replacement_cost(school=school, year=year, today=timezone.localdate())
        sees_assets = can(request.user, "assets.change", school)
        return render(
            request,
            "budgets/budget_form.html",
            {
                "school": school,
                "year": year,
                "fy": data["years"][school.pk],
                "data": data,
                "form": form,
                "rows": list(form.rows(data)),
                "can_set": can_set,
                "years": years,
                "replacing": replacing,
                "sees_assets": sees_assets,
            },
            status=status,
        )

    def get(self, request, school_pk):
        return self.render_page(request, *self.setup_school(request, school_pk))

    def post(self, request, school_pk):
        school, year, can_set, current = self.setup_school(request, school_pk)
        if not can_set:
            require(request.user, "budgets.set", school)
        if (repeat := already_sent(request)) is not None:  # the same form sent twice
            return repeat
        form = BudgetForm(request.POST, editable=True)
        if form.is_valid():
            url = f"{reverse('budgets:budget_edit', args=[school.pk])}?year={year}"
            done, url, repeat = run_once(
                request,
                form,
                lambda: budget_set(
                    school=school,
                    year=year,
                    amounts=form.amounts(),
                    by=request.user,
                    version=form.cleaned_data.get("version") or None,
                ),
                lambda _lines: url,
            )
            if repeat is not None:
                return repeat
            if done is not None:
                messages.success(request, _("The budget for %(school)s is saved.") % {"school": school.name})
                return redirect(url)
        return self.render_page(request, school, year, can_set, current, form=form, status=400)
