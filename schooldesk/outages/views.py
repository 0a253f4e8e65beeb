from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.core.permissions import can
from schooldesk.core.views import FilteredListView, FormPageView, ObjectActionView
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_get
from schooldesk.outages import forms, selectors, services
from schooldesk.outages.context_processors import AFFECTED_SESSION_KEY
from schooldesk.outages.filtersets import OutageFilterSet
from schooldesk.outages.models import CallApproval, Outage
from schooldesk.outages.tables import OUTAGE_PAGE


class OutageListView(FilteredListView):
    model = Outage
    selector = selectors.outage_list
    filterset_class = OutageFilterSet
    table = OUTAGE_PAGE
    template_name = "outages/outage_list.html"


class OutageCreateView(FormPageView):
    """Declare an outage from nothing, or from a call (?incident=<pk>): the form starts from the call, which is
    linked to the outage."""

    permission = "outages.declare"
    template_name = "outages/outage_form.html"
    success_message = _("The outage is declared: everyone at the schools it affects sees it.")

    def source_incident(self):
        pk = self.request.GET.get("incident", "")
        if not pk.isdigit():
            return None
        try:
            incident = incident_get(user=self.request.user, pk=int(pk))
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
        self.require_in(incident)
        return incident

    def get_form(self, data=None, files=None):
        self.incident = self.source_incident()
        return forms.OutageForm(data, user=self.request.user, incident=self.incident)

    def get_context_data(self, **context):
        return {**context, "incident": self.incident}

    def perform(self, form):
        data = form.cleaned_data
        return services.outage_declare(
            by=self.request.user,
            schools=form.chosen_schools(),
            title=data["title"],
            scope=data["scope"],
            started_at=data["started_at"],
            advice=data["advice"],
            category=data["category"],
            location=data["location"],
            assets=list(data["assets"]),
            source_incident=self.incident,
        )

    def get_success_url(self, result) -> str:
        return reverse("outages:outage_detail", args=[result.pk])


def _outage(request, pk) -> Outage:
    try:
        return selectors.outage_get(user=request.user, pk=pk)
    except Outage.DoesNotExist as exc:
        raise Http404 from exc


def render_outage(request, outage, bound=None, status=200):
    user = request.user
    runs = outage.is_active and can(user, "outages.resolve", outage)
    staff = can(user, "outages.see_people", outage)
    action_forms = {}
    if runs:
        calls = selectors.linkable_calls(user=user, outage=outage)
        action_forms["link"] = forms.LinkCallsForm(calls=calls, auto_id="id_link_%s")
        action_forms["resolve"] = forms.ResolveOutageForm(initial={"version": outage.version}, auto_id="id_resolve_%s")
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    return render(
        request,
        "outages/outage_detail.html",
        {
            "outage": outage,
            "runs": runs,
            "forms": action_forms,
            "failed": bound[0] if bound else None,
            # the calls and the people are the desk's to see: a reporter reads the outage, not other people's calls
            "calls": selectors.outage_calls(outage=outage, user=user) if staff else None,
            "people": selectors.outage_people(outage=outage) if staff else None,
            "schools": [row.school for row in outage.affected_schools.all()],
        },
        status=status,
    )


class OutageDetailView(View):
    def get(self, request, pk):
        return render_outage(request, _outage(request, pk))


class OutageActionView(ObjectActionView):
    """link, resolve, affected: POST only."""

    def get_object(self):
        return _outage(self.request, self.kwargs["pk"])

    def get_form(self, outage, data, files):
        if self.action == "link":
            calls = (
                selectors.linkable_calls(user=self.request.user, outage=outage)
                if can(self.request.user, "outages.resolve", outage)
                else Incident.objects.none()
            )
            return forms.LinkCallsForm(data, calls=calls, auto_id="id_link_%s")
        if self.action == "resolve":
            return forms.ResolveOutageForm(data, auto_id="id_resolve_%s")
        return forms.AffectedForm(data)

    def perform(self, outage, form):
        user, data = self.request.user, form.cleaned_data
        if self.action == "link":
            return services.outage_link_calls(outage=outage, by=user, incidents=data["incidents"])
        if self.action == "resolve":
            return services.outage_resolve(
                outage=outage, by=user, version=data["version"], resolution=data["resolution"]
            )
        _row, created = services.outage_affected(outage=outage, by=user)
        noted = set(self.request.session.get(AFFECTED_SESSION_KEY, ()))
        self.request.session[AFFECTED_SESSION_KEY] = sorted(noted | {outage.pk})
        return created or "already"

    def get_success_message(self, result):
        if self.action == "link":
            return _("%(n)s call(s) linked: they will be resolved with the outage.") % {"n": result}
        if self.action == "resolve":
            return _("Resolved. Everyone affected is being told, and the linked calls are resolved.")
        if result == "already":
            return _("You had already told us. We will email you when it is fixed.")
        return _("Thank you: you are on the list. We will email you when it is fixed; no need to report it.")

    def get_success_url(self, outage):
        fallback = reverse("outages:outage_detail", args=[outage.pk])
        if self.action == "affected":  # back to the page the person tapped it on (the report form, any page)
            return _back(self.request, fallback)
        return fallback

    def render_failed(self, outage, form):
        if self.action == "affected":
            for error in form.non_field_errors():
                messages.error(self.request, error)
            return redirect(_back(self.request, reverse("outages:outage_detail", args=[outage.pk])))
        return render_outage(self.request, outage, bound=(self.action, form), status=400)


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- approvals ----------------------------------------------------------------------------------------------------
def _approval(request, pk) -> CallApproval:
    try:
        return selectors.approval_get(user=request.user, pk=pk)
    except CallApproval.DoesNotExist as exc:
        raise Http404 from exc


def render_approval(request, approval, form=None, status=200):
    token = request.GET.get("t", "")
    decides = approval.is_pending and can(request.user, "outages.decide", approval)
    return render(
        request,
        "outages/approval_detail.html",
        {
            "approval": approval,
            "incident": approval.incident,
            "decides": decides,
            "form": form or (forms.ApprovalDecisionForm() if decides else None),
            "link_is_not_yours": bool(token)
            and not services.approval_token_valid(approval, token)
            or bool(token)
            and request.user.pk != approval.approver_id,
            "history": selectors.approvals_for_call(incident=approval.incident),
        },
        status=status,
    )


class ApprovalDetailView(View):
    """The call's approval page, where the approver's emailed (signed) link leads once they have signed in."""

    def get(self, request, approval_pk):
        return render_approval(request, _approval(request, approval_pk))


class ApprovalDecideView(ObjectActionView):
    action = "decide"

    def get_object(self):
        return _approval(self.request, self.kwargs["approval_pk"])

    def get_form(self, approval, data, files):
        return forms.ApprovalDecisionForm(data)

    def perform(self, approval, form):
        return services.approval_decide(
            approval=approval,
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, result):
        return (
            _("Approved: the desk can go ahead.")
            if result.decision == "approved"
            else _("Refused: the person who asked is told why.")
        )

    def get_success_url(self, approval):
        return reverse("outages:approval_detail", args=[approval.pk])

    def render_failed(self, approval, form):
        return render_approval(self.request, approval, form=form, status=400)


class CategoryApprovalView(ObjectActionView):
    """On the school's settings page: a category needs approval, or no longer does."""

    action = "category"

    def get_object(self):
        category = selectors.category_get(pk=self.kwargs["category_pk"])
        if category is None or not can(self.request.user, "outages.category_approval", category):
            raise Http404
        return category

    def get_form(self, category, data, files):
        return forms.AffectedForm(data)

    def perform(self, category, form):
        return services.category_set_needs_approval(
            category=category, by=self.request.user, needs=not category.needs_approval
        )

    def get_success_message(self, result):
        return (
            _("Requests in “%(name)s” now wait for approval.") % {"name": result}
            if result.needs_approval
            else _("Requests in “%(name)s” no longer wait for approval.") % {"name": result}
        )

    def get_success_url(self, category):
        return f"{reverse('schools:school_detail', args=[category.school_id])}#category"

    def render_failed(self, category, form):
        raise Http404


class ChangeFromCallView(ObjectActionView):
    """On the call page: raise a request for change from the call (POST only)."""

    action = "change"

    def get_object(self):
        try:
            incident = incident_get(user=self.request.user, pk=self.kwargs["incident_pk"])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
        if not can(self.request.user, "changes.create", incident):
            raise Http404
        return incident

    def get_form(self, incident, data, files):
        return forms.AffectedForm(data)

    def perform(self, incident, form):
        self.change = services.change_from_call(incident=incident, by=self.request.user)
        return self.change

    def get_success_message(self, result):
        return _("Request for change %(ref)s raised from the call: complete it and submit it.") % {
            "ref": result.reference
        }

    def get_success_url(self, incident):
        return reverse("changes:change_detail", args=[self.change.pk])

    def render_failed(self, incident, form):
        for error in form.non_field_errors():
            messages.error(self.request, error)
        return redirect("incidents:incident_detail", pk=incident.pk)
