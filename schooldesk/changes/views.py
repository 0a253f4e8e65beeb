from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.assets.services import asset_types_ensure
from schooldesk.changes import forms, services
from schooldesk.changes.choices import (
    AUTHORISE_ROLES,
    EDITABLE_STATUSES,
    PLANNING_STATUSES,
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
    problem_for_change,
    progress,
    progress_percent,
    schools_for_progress,
    standard_change_for_owner,
    standard_changes,
)
from schooldesk.changes.tables import CHANGE_PAGE, CHANGE_REPORT_EXPORT
from schooldesk.core.exports import export_response
from schooldesk.core.periods import PeriodForm
from schooldesk.core.permissions import can
from schooldesk.core.roles import REPORT_ROLES
from schooldesk.core.views import (
    FilteredListView,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
)
from schooldesk.schools.selectors import schools_for


def _change_or_404(request, pk) -> ChangeRequest:
    try:
        return change_get(user=request.user, pk=pk)
    except ChangeRequest.DoesNotExist as exc:
        raise Http404 from exc


class ChangeListView(FilteredListView):
    model = ChangeRequest
    selector = change_list
    filterset_class = ChangeFilterSet
    table = CHANGE_PAGE
    permission = "changes.change"
    template_name = "changes/change_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for change in context["object_list"]:
            change.percent = progress_percent(change)
        return context


class ChangeEditView(FormPageView):
    """Raise a request for change (from a problem with ?problem=) or edit it (the plan only, once decided)."""

    permission = "changes.change"
    template_name = "changes/change_form.html"
    context_object_name = "change"

    def get_object(self):
        pk = self.kwargs.get("pk")
        change = _change_or_404(self.request, pk) if pk else ChangeRequest()
        if pk and change.status not in PLANNING_STATUSES:
            raise Http404
        return change

    def get_form(self, data=None, files=None):
        request, change = self.request, self.object
        initial, school, school_ids = {}, None, change_school_ids(user=request.user)
        wanted = request.GET.get("problem", "")
        if not change.pk and wanted.isdigit():
            problem = problem_for_change(user=request.user, pk=int(wanted))
            if problem is not None:
                school = problem.school
                initial = {
                    "problem": problem.pk,
                    "title": _("Fix: %(title)s") % {"title": problem.title},
                    "reason": _("Solves %(ref)s: %(title)s.") % {"ref": problem.reference, "title": problem.title},
                }
        return forms.ChangeForm(
            data,
            instance=change,
            initial=initial,
            school_ids=school_ids,
            school=school,
            plan_only=bool(change.pk) and change.status not in EDITABLE_STATUSES,
        )

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("school", None)  # the decided school is form.owner
        if self.object.pk:
            return services.change_update(change=self.object, by=self.request.user, version=version, **data)
        return services.change_create(by=self.request.user, school=form.owner, **data)

    def get_success_message(self, result):
        if self.object.pk:
            return _("Saved.")
        return _("%(ref)s raised as a draft: add its plan, then submit it for authorisation.") % {
            "ref": result.reference
        }

    def get_success_url(self, result):
        return reverse("changes:change_detail", args=[result.pk])


ACTION_ORDER = [
    "decide",
    "submit",
    "milestone",
    "new_asset",
    "new_licence",
    "affected_asset",
    "complete",
    "review",
    "withdraw",
]


def _action_forms(change, user, bound=None) -> dict:
    version = {"version": change.version}
    available = {}
    if change.status == ChangeStatus.DRAFT:
        available["submit"] = forms.VersionForm(initial=version)
    if change.status == ChangeStatus.SUBMITTED and can(user, "changes.decide", change):
        available["decide"] = forms.DecisionForm(initial=version)
    if change.status in PLANNING_STATUSES:
        asset_types_ensure(school=change.school)
        available["milestone"] = forms.MilestoneForm(change=change)
        available["new_asset"] = forms.NewAssetForm(change=change)
        available["new_licence"] = forms.NewLicenceForm(change=change)
        available["affected_asset"] = forms.AffectedAssetForm(change=change)
        available["withdraw"] = forms.WithdrawForm(initial=version)
    if change.status == ChangeStatus.AUTHORISED and can(user, "changes.complete", change):
        available["complete"] = forms.CompleteForm(initial=version)
    if change.status in (ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED) and can(user, "changes.review", change):
        available["review"] = forms.ReviewForm(initial=version)
    if bound is not None:
        available[bound[0]] = bound[1]
    available = {name: available[name] for name in ACTION_ORDER if name in available}
    for name, form in available.items():
        form.auto_id = f"id_{name}_%s"
    return available


def render_change(request, change, bound=None, status=200):
    return render(
        request,
        "changes/change_detail.html",
        {
            "change": change,
            "plan": change_plan(change),
            "forms": _action_forms(change, request.user, bound),
            "failed": bound[0] if bound else None,
            "today": timezone.localdate(),
            "can_plan": change.status in PLANNING_STATUSES,
            "can_edit": change.status in PLANNING_STATUSES,
        },
        status=status,
    )


class ChangeDetailView(PermissionRequiredMixin, View):
    permission = "changes.change"

    def get(self, request, pk):
        return render_change(request, _change_or_404(request, pk))


ACTIONS = {
    "submit": (
        forms.VersionForm,
        lambda c, u, d: services.change_submit(change=c, by=u, version=d["version"]),
        _("Submitted to the ICT owner for authorisation."),
    ),
    "decide": (
        forms.DecisionForm,
        lambda c, u, d: services.change_decide(
            change=c, by=u, version=d["version"], authorise=d["decision"] == "authorise", reason=d["reason"]
        ),
        _("Decision recorded."),
    ),
    "withdraw": (
        forms.WithdrawForm,
        lambda c, u, d: services.change_withdraw(change=c, by=u, version=d["version"], reason=d["reason"]),
        _("Withdrawn."),
    ),
    "milestone": (
        forms.MilestoneForm,
        lambda c, u, d: services.milestone_add(change=c, by=u, **d),
        _("Milestone added."),
    ),
    "new_asset": (
        forms.NewAssetForm,
        lambda c, u, d: services.new_asset_add(change=c, by=u, **d),
        _("New equipment added to the plan."),
    ),
    "new_licence": (
        forms.NewLicenceForm,
        lambda c, u, d: services.new_licence_add(change=c, by=u, **d),
        _("New licence added to the plan."),
    ),
    "affected_asset": (
        forms.AffectedAssetForm,
        lambda c, u, d: services.affected_asset_add(change=c, by=u, **d),
        _("Asset added to the change."),
    ),
    "complete": (
        forms.CompleteForm,
        lambda c, u, d: services.change_complete(
            change=c,
            by=u,
            version=d["version"],
            outcome=d["outcome"],
            implemented_on=d["implemented_on"],
            note=d["note"],
        ),
        _("Completed. The registers are up to date."),
    ),
    "review": (
        forms.ReviewForm,
        lambda c, u, d: services.change_review(change=c, by=u, version=d["version"], review=d["review"]),
        _("Reviewed and closed."),
    ),
}
NEEDS_CHANGE = {forms.MilestoneForm, forms.NewAssetForm, forms.NewLicenceForm, forms.AffectedAssetForm}


class ChangeActionView(PermissionRequiredMixin, ObjectActionView):
    """POST only: one of ACTIONS; a failed form re-renders the change with what was typed."""

    permission = "changes.change"

    def get_object(self):
        return _change_or_404(self.request, self.kwargs["pk"])

    def get_form(self, change, data, files):
        form_class = ACTIONS[self.action][0]
        return form_class(data, **({"change": change} if form_class in NEEDS_CHANGE else {}))

    def perform(self, change, form):
        return ACTIONS[self.action][1](change, self.request.user, dict(form.cleaned_data))

    def get_success_message(self, result):
        return ACTIONS[self.action][2]

    def get_success_url(self, change):
        return reverse("changes:change_detail", args=[change.pk])

    def render_failed(self, change, form):
        return render_change(self.request, change, bound=(self.action, form), status=400)


#: plan items that can be removed (or ticked off): URL name → (model, parameter)
ITEMS = {
    "milestone": (Milestone, "milestone_pk"),
    "new_asset": (NewAsset, "new_asset_pk"),
    "new_licence": (NewLicence, "new_licence_pk"),
    "affected_asset": (AffectedAsset, "affected_pk"),
}


class PlanItemView(PermissionRequiredMixin, View):
    """POST only: remove an item from the plan, or tick a milestone off (done=1) or on again (done=0)."""

    permission = "changes.change"
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
            apply_service(
                request,
                form,
                services.milestone_done,
                _("Milestone done.") if done else _("Milestone reopened."),
                milestone=item,
                by=request.user,
                done=done,
            )
        elif self.item == "milestone":
            apply_service(
                request, form, services.milestone_remove, _("Milestone removed."), milestone=item, by=request.user
            )
        else:
            apply_service(
                request, form, services.plan_item_remove, _("Removed from the plan."), item=item, by=request.user
            )
        if form.non_field_errors():
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect("changes:change_detail", pk=change.pk)


class ProgressView(PermissionRequiredMixin, View):
    """The owner's page: every open RFC and problem, progress, next milestone, overdue items and who holds them."""

    permission = "changes.progress"

    def get(self, request):
        schools = schools_for_progress(user=request.user)
        wanted = request.GET.get("school", "")
        school = schools.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        data = progress(user=request.user, school=school)
        return render(request, "changes/progress.html", {**data, "school": school, "schools": schools})


class ChangeReportView(PermissionRequiredMixin, View):
    permission = "changes.report"

    def get(self, request):
        form = PeriodForm.from_query(request.GET, schools=schools_for(user=request.user, roles=REPORT_ROLES))
        report = None
        if form.is_valid():
            report = change_report(
                user=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                school=form.cleaned_data["school"],
            )
            if request.GET.get("format") == "csv":
                name = f"change-report-{report['start']:%Y-%m-%d}-to-{report['end']:%Y-%m-%d}"
                return export_response(CHANGE_REPORT_EXPORT, "csv", name, report["rows"].iterator(chunk_size=2000))
        return render(
            request,
            "changes/change_report.html",
            {"form": form, "report": report},
            status=200 if form.is_valid() else 400,
        )


class StandardChangeListView(PermissionRequiredMixin, View):
    permission = "changes.change"

    def get(self, request):
        return render(
            request,
            "changes/standard_list.html",
            {
                "standards": standard_changes(user=request.user, active_only=False).order_by("-is_active", "title"),
                "can_authorise": can(request.user, "changes.standard"),
            },
        )


class StandardChangeEditView(FormPageView):
    """The ICT owner pre-authorises a standard change, or retires one."""

    permission = "changes.standard"
    template_name = "changes/standard_form.html"
    context_object_name = "standard"
    success_message = gettext_lazy("Saved.")

    def get_object(self):
        self.school_ids = change_school_ids(user=self.request.user, roles=AUTHORISE_ROLES)
        if pk := self.kwargs.get("standard_pk"):
            standard = standard_change_for_owner(user=self.request.user, pk=pk)
            if standard is None:
                raise Http404
            return standard
        return StandardChange()

    def get_form(self, data=None, files=None):
        return forms.StandardChangeForm(data, instance=self.object, school_ids=self.school_ids)

    def perform(self, form):
        return services.standard_change_save(
            standard=form.instance, by=self.request.user, version=form.rendered_version
        )

    def get_success_url(self, result):
        return reverse("changes:standard_list")
