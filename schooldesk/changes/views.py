from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import REPORT_ROLES
from schooldesk.changes import forms, services
from schooldesk.changes.choices import (
    AUTHORISE_ROLES,
    CHANGE_DESK_ROLES,
    CHANGE_ROLES,
    EDITABLE_STATUSES,
    PLANNING_STATUSES,
    PROGRESS_ROLES,
    ChangeStatus,
)
from schooldesk.changes.filtersets import ChangeFilterSet
from schooldesk.changes.models import AffectedAsset, ChangeRequest, Milestone, NewAsset, NewLicence, StandardChange
from schooldesk.changes.selectors import (
    change_get,
    change_list,
    change_plan,
    change_report,
    change_school_ids,
    progress,
    progress_percent,
    standard_changes,
)
from schooldesk.core.exports import csv_response
from schooldesk.core.views import FilteredListView, RoleRequiredMixin, apply_service
from schooldesk.problems.models import Problem
from schooldesk.reports.forms import PeriodForm
from schooldesk.schools.models import School


def _change_or_404(request, pk) -> ChangeRequest:
    try:
        return change_get(request.user, pk)
    except ChangeRequest.DoesNotExist as exc:
        raise Http404 from exc


class ChangeListView(FilteredListView):
    model = ChangeRequest
    filterset_class = ChangeFilterSet
    required_roles = CHANGE_ROLES
    template_name = "changes/change_list.html"

    def get_queryset(self):
        self.filterset = ChangeFilterSet(self.request.GET or None, queryset=change_list(self.request.user),
                                         request=self.request)
        return self.filterset.qs.order_by(*(self.filterset.qs.query.order_by or ["-created_at"]), "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for change in context["object_list"]:
            change.percent = progress_percent(change)
        return context


class ChangeEditView(RoleRequiredMixin, View):
    """Raise a request for change (from a problem with ?problem=) or edit it (the plan only, once decided)."""

    required_roles = CHANGE_ROLES

    def _form(self, request, pk, data=None):
        change = _change_or_404(request, pk) if pk else ChangeRequest()
        if pk and change.status not in PLANNING_STATUSES:
            raise Http404
        initial = {}
        wanted = request.GET.get("problem", "")
        if not pk and wanted.isdigit():
            problem = Problem.objects.visible_to(request.user).filter(pk=int(wanted)).first()
            if problem is not None:
                initial = {"school": problem.school_id, "problem": problem.pk, "title": f"Fix: {problem.title}",
                           "reason": f"Solves {problem.reference}: {problem.title}."}
        form = forms.ChangeForm(data, instance=change, initial=initial, school_ids=change_school_ids(request.user),
                                plan_only=bool(pk) and change.status not in EDITABLE_STATUSES)
        return change, form

    def _render(self, request, change, form, status=200):
        return render(request, "changes/change_form.html", {"form": form, "change": change}, status=status)

    def get(self, request, pk=None):
        return self._render(request, *self._form(request, pk))

    def post(self, request, pk=None):
        change, form = self._form(request, pk, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            if change.pk:
                done = apply_service(request, form, services.change_update, _("Saved."), change=change, by=request.user,
                                     version=version, **data)
            else:
                done = apply_service(request, form, services.change_create, "", by=request.user, **data)
                if done is not None:
                    messages.success(request,
                                     _("%(ref)s raised as a draft: add its plan, then submit it for authorisation.")
                                     % {"ref": done.reference})
            if done is not None:
                return redirect("changes:change_detail", pk=done.pk)
        return self._render(request, change, form, status=400)


ACTION_ORDER = ["decide", "submit", "milestone", "new_asset", "new_licence", "affected_asset", "complete", "review",
                "withdraw"]


def _action_forms(change, user, bound=None) -> dict:
    access = access_for(user)
    version = {"version": change.version}
    available = {}
    if change.status == ChangeStatus.DRAFT:
        available["submit"] = forms.VersionForm(initial=version)
    if change.status == ChangeStatus.SUBMITTED and access.has_role(change.school_id, AUTHORISE_ROLES):
        available["decide"] = forms.DecisionForm(initial=version)
    if change.status in PLANNING_STATUSES:
        from schooldesk.assets.services import asset_types_ensure

        asset_types_ensure(school=change.school)
        available["milestone"] = forms.MilestoneForm(change=change)
        available["new_asset"] = forms.NewAssetForm(change=change)
        available["new_licence"] = forms.NewLicenceForm(change=change)
        available["affected_asset"] = forms.AffectedAssetForm(change=change)
        available["withdraw"] = forms.WithdrawForm(initial=version)
    is_desk = access.has_role(change.school_id, CHANGE_DESK_ROLES)
    if change.status == ChangeStatus.AUTHORISED and is_desk:
        available["complete"] = forms.CompleteForm(initial=version)
    if change.status in (ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED) and is_desk:
        available["review"] = forms.ReviewForm(initial=version)
    if bound is not None:
        available[bound[0]] = bound[1]
    available = {name: available[name] for name in ACTION_ORDER if name in available}
    for name, form in available.items():
        form.auto_id = f"id_{name}_%s"
    return available


def render_change(request, change, bound=None, status=200):
    return render(request, "changes/change_detail.html", {
        "change": change, "plan": change_plan(change), "forms": _action_forms(change, request.user, bound),
        "failed": bound[0] if bound else None, "today": timezone.localdate(),
        "can_plan": change.status in PLANNING_STATUSES, "can_edit": change.status in PLANNING_STATUSES,
    }, status=status)


class ChangeDetailView(RoleRequiredMixin, View):
    required_roles = CHANGE_ROLES

    def get(self, request, pk):
        return render_change(request, _change_or_404(request, pk))


ACTIONS = {
    "submit": (forms.VersionForm, lambda c, u, d: services.change_submit(change=c, by=u, version=d["version"]),
               _("Submitted to the ICT owner for authorisation.")),
    "decide": (forms.DecisionForm, lambda c, u, d: services.change_decide(
        change=c, by=u, version=d["version"], authorise=d["decision"] == "authorise", reason=d["reason"]),
        _("Decision recorded.")),
    "withdraw": (forms.WithdrawForm, lambda c, u, d: services.change_withdraw(change=c, by=u, version=d["version"],
                                                                               reason=d["reason"]), _("Withdrawn.")),
    "milestone": (forms.MilestoneForm, lambda c, u, d: services.milestone_add(change=c, by=u, **d),
                  _("Milestone added.")),
    "new_asset": (forms.NewAssetForm, lambda c, u, d: services.new_asset_add(change=c, by=u, **d),
                  _("New equipment added to the plan.")),
    "new_licence": (forms.NewLicenceForm, lambda c, u, d: services.new_licence_add(change=c, by=u, **d),
                    _("New licence added to the plan.")),
    "affected_asset": (forms.AffectedAssetForm, lambda c, u, d: services.affected_asset_add(change=c, by=u, **d),
                       _("Asset added to the change.")),
    "complete": (forms.CompleteForm, lambda c, u, d: services.change_complete(
        change=c, by=u, version=d["version"], outcome=d["outcome"], implemented_on=d["implemented_on"], note=d["note"]),
        _("Completed. The registers are up to date.")),
    "review": (forms.ReviewForm, lambda c, u, d: services.change_review(change=c, by=u, version=d["version"],
                                                                         review=d["review"]),
                                                                         _("Reviewed and closed.")),
}
NEEDS_CHANGE = {forms.MilestoneForm, forms.NewAssetForm, forms.NewLicenceForm, forms.AffectedAssetForm}


class ChangeActionView(RoleRequiredMixin, View):
    """POST only: one of ACTIONS; a failed form re-renders the change with what was typed."""

    required_roles = CHANGE_ROLES
    action = ""

    def post(self, request, pk):
        change = _change_or_404(request, pk)
        form_class, call, message = ACTIONS[self.action]
        form = form_class(request.POST, **({"change": change} if form_class in NEEDS_CHANGE else {}))
        if form.is_valid():
            done = apply_service(request, form, lambda: call(change, request.user, dict(form.cleaned_data)), message)
            if done is not None:
                return redirect("changes:change_detail", pk=change.pk)
            change = _change_or_404(request, pk)
        return render_change(request, change, bound=(self.action, form), status=400)


#: plan items that can be removed (or ticked off): URL name → (model, parameter)
ITEMS = {"milestone": (Milestone, "milestone_pk"), "new_asset": (NewAsset, "new_asset_pk"),
         "new_licence": (NewLicence, "new_licence_pk"), "affected_asset": (AffectedAsset, "affected_pk")}


class PlanItemView(RoleRequiredMixin, View):
    """POST only: remove an item from the plan, or tick a milestone off (done=1) or on again (done=0)."""

    required_roles = CHANGE_ROLES
    item = ""
    tick = False

    def post(self, request, pk, **kwargs):
        change = _change_or_404(request, pk)
        model, parameter = ITEMS[self.item]
        item = get_object_or_404(model.objects.select_related("change"), pk=kwargs[parameter], change=change)
        form = forms.ItemForm(request.POST)
        form.is_valid()
        done = form.cleaned_data.get("done", "1") != "0"
        if self.tick:
            apply_service(request, form, services.milestone_done,
                          _("Milestone done.") if done else _("Milestone reopened."), milestone=item, by=request.user,
                          done=done)
        elif self.item == "milestone":
            apply_service(request, form, services.milestone_remove, _("Milestone removed."), milestone=item,
                          by=request.user)
        else:
            apply_service(request, form, services.plan_item_remove, _("Removed from the plan."), item=item,
                          by=request.user)
        if form.non_field_errors():
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect("changes:change_detail", pk=change.pk)


class ProgressView(RoleRequiredMixin, View):
    """The owner's page: every open RFC and problem, progress, next milestone, overdue items and who holds them."""

    required_roles = PROGRESS_ROLES

    def get(self, request):
        school_ids = access_for(request.user).school_ids(PROGRESS_ROLES)
        wanted = request.GET.get("school", "")
        school = School.objects.filter(pk=int(wanted), pk__in=school_ids).first() if wanted.isdigit() else None
        data = progress(request.user, school=school)
        return render(request, "changes/progress.html", {**data, "school": school,
                                                         "schools": School.objects.filter(pk__in=school_ids)})


REPORT_HEADER = ["Reference", "School", "Title", "Type", "Status", "Risk", "Estimated cost (£)", "Problem", "Raised",
                 "Decided", "Implemented on", "Outcome"]


class ChangeReportView(RoleRequiredMixin, View):
    required_roles = REPORT_ROLES

    def get(self, request):
        school_ids = access_for(request.user).school_ids(REPORT_ROLES)
        form = PeriodForm.from_query(request.GET, school_ids=school_ids)
        report = None
        if form.is_valid():
            report = change_report(request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                                   school=form.cleaned_data["school"])
            if request.GET.get("format") == "csv":
                def day(value):
                    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""

                rows = ((c.reference, c.school.name, c.title, c.get_change_type_display(), c.get_status_display(),
                         c.get_risk_display(), c.estimated_cost if c.estimated_cost is not None else "",
                         c.problem.reference if c.problem_id else "", day(c.created_at), day(c.decided_at),
                         c.implemented_on.strftime("%d/%m/%Y") if c.implemented_on else "", c.get_outcome_display())
                        for c in report["rows"].iterator(chunk_size=2000))
                name = f"change-report-{report['start']:%Y-%m-%d}-to-{report['end']:%Y-%m-%d}.csv"
                return csv_response(name, REPORT_HEADER, rows)
        return render(request, "changes/change_report.html", {"form": form, "report": report},
                      status=200 if form.is_valid() else 400)


class StandardChangeListView(RoleRequiredMixin, View):
    required_roles = CHANGE_ROLES

    def get(self, request):
        return render(request, "changes/standard_list.html", {
            "standards": standard_changes(request.user, active_only=False).order_by("-is_active", "title"),
            "can_authorise": access_for(request.user).any_role(AUTHORISE_ROLES)})


class StandardChangeEditView(RoleRequiredMixin, View):
    """The ICT owner pre-authorises a standard change, or retires one."""

    required_roles = AUTHORISE_ROLES

    def _form(self, request, standard_pk, data=None):
        school_ids = access_for(request.user).school_ids(AUTHORISE_ROLES)
        standard = (get_object_or_404(StandardChange.objects.visible_to(request.user).filter(school_id__in=school_ids),
                                      pk=standard_pk) if standard_pk else StandardChange())
        return standard, forms.StandardChangeForm(data, instance=standard, school_ids=school_ids)

    def get(self, request, standard_pk=None):
        standard, form = self._form(request, standard_pk)
        return render(request, "changes/standard_form.html", {"form": form, "standard": standard})

    def post(self, request, standard_pk=None):
        standard, form = self._form(request, standard_pk, request.POST)
        if form.is_valid():
            if apply_service(request, form, services.standard_change_save, _("Saved."), standard=form.instance,
                             by=request.user) is not None:
                return redirect("changes:standard_list")
        return render(request, "changes/standard_form.html", {"form": form, "standard": standard}, status=400)

