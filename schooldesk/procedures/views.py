from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, PermissionRequiredMixin, apply_service, is_filtered
from schooldesk.procedures import forms, services
from schooldesk.procedures.choices import VersionStatus
from schooldesk.procedures.filtersets import ProcedureFilterSet
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.selectors import (
    previous_authorised,
    procedure_get,
    procedure_history,
    procedure_list,
    proposals_waiting,
    proposing_school_ids,
    proposing_schools,
    starter_schools,
    text_diff,
)


def _procedure_or_404(request, pk) -> Procedure:
    try:
        return procedure_get(user=request.user, pk=pk)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


class ProcedureListView(View):
    """The desk's procedures, readable by everyone in school; proposals waiting for the desk and the owner."""

    def get(self, request):
        user = request.user
        filterset = ProcedureFilterSet(request.GET or None, queryset=procedure_list(user=user), request=request)
        procedures = list(filterset.qs.order_by("school__name", "position", "title"))
        can_propose = can(user, "procedures.propose")
        return render(
            request,
            "procedures/procedure_list.html",
            {
                "procedures": procedures,
                "proposals": list(proposals_waiting(user=user)) if can_propose else [],
                "can_propose": can_propose,
                "can_authorise": can(user, "procedures.decide"),
                "starter_schools": starter_schools(user=user),
                "filter": filterset,
                "is_filtered": is_filtered(request.GET),
            },
        )


class ProcedureCreateView(FormPageView):
    permission = "procedures.propose"
    template_name = "procedures/proposal_form.html"
    context_object_name = "procedure"
    success_message = gettext_lazy("Proposed. The ICT owner will authorise it.")

    def get_form(self, data=None, files=None):
        return forms.ProposalForm(data, school_ids=proposing_school_ids(user=self.request.user))

    def perform(self, form):
        d = form.cleaned_data
        return services.procedure_create(
            school=form.owner, by=self.request.user, title=d["title"], body=d["body"], note=d["note"]
        )

    def get_success_url(self, result):
        return reverse("procedures:procedure_detail", args=[result.procedure_id])


class StarterView(PermissionRequiredMixin, View):
    permission = "procedures.propose"

    def post(self, request):
        form = forms.StarterForm(request.POST)
        school = None
        if form.is_valid():
            school = proposing_schools(user=request.user).filter(pk=form.cleaned_data["school"]).first()
        if school is None:
            raise Http404
        made = services.procedures_starter_create(school=school, by=request.user)
        messages.success(
            request,
            _("%(n)s procedures proposed from the starting set: the ICT owner authorises each.") % {"n": len(made)},
        )
        return redirect("procedures:procedure_list")


def render_procedure(request, procedure, bound=None, status=200):
    history = procedure_history(user=request.user, procedure=procedure)
    proposal = next((v for v in history if v.is_proposed), None)
    decide, changes = None, None
    if proposal is not None and can(request.user, "procedures.decide", procedure):
        decide = bound or forms.DecisionForm()
    if proposal is not None and procedure.current_version is not None:
        changes = text_diff(procedure.current_version.body, proposal.body)
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "history": history,
            "proposal": proposal,
            "decide": decide,
            "changes": changes,
            "can_propose": can(request.user, "procedures.propose", procedure),
        },
        status=status,
    )


class ProcedureDetailView(View):
    def get(self, request, pk):
        return render_procedure(request, _procedure_or_404(request, pk))


class ProposeView(FormPageView):
    """The desk proposes a change to a procedure, starting from its current text (one proposal at a time)."""

    permission = "procedures.propose"
    template_name = "procedures/proposal_form.html"
    context_object_name = "procedure"
    success_message = gettext_lazy("Proposed. The ICT owner will authorise it.")

    def get_object(self):
        procedure = _procedure_or_404(self.request, self.kwargs["pk"])
        self.require_in(procedure)
        return procedure

    def get(self, request, *args, **kwargs):
        procedure = self.get_object()
        if procedure.versions.filter(status=VersionStatus.PROPOSED).exists():
            messages.info(
                request,
                _("There is already a proposal waiting for the ICT owner: withdraw it or wait for the decision."),
            )
            return redirect("procedures:procedure_detail", pk=procedure.pk)
        return super().get(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        current = self.object.current_version
        return forms.ProposalForm(
            data, procedure=self.object, initial={"title": self.object.title, "body": current.body if current else ""}
        )

    def perform(self, form):
        d = form.cleaned_data
        return services.procedure_propose(
            procedure=self.object,
            by=self.request.user,
            title=d["title"],
            body=d["body"],
            note=d["note"],
            version=form.rendered_version,
        )

    def get_success_url(self, result):
        return reverse("procedures:procedure_detail", args=[self.object.pk])


class VersionView(View):
    """One version's text, as it was (proposals only for the desk)."""

    def get(self, request, pk, version_pk):
        procedure = _procedure_or_404(request, pk)
        history = procedure_history(user=request.user, procedure=procedure)
        version = next((v for v in history if v.pk == version_pk), None)
        if version is None:
            raise Http404
        before = previous_authorised(history, version)
        changes = text_diff(before.body, version.body) if before is not None else None
        return render(
            request,
            "procedures/version_detail.html",
            {"procedure": procedure, "version": version, "before": before, "changes": changes},
        )


class VersionActionView(PermissionRequiredMixin, View):
    """POST only: the owner decides on a proposal, or the desk withdraws it."""

    permission = "procedures.propose"
    action = ""

    def post(self, request, pk, version_pk):
        procedure = _procedure_or_404(request, pk)
        version = get_object_or_404(
            ProcedureVersion.objects.select_related("procedure"), pk=version_pk, procedure=procedure
        )
        self.require_in(procedure)
        if self.action == "withdraw":
            form = forms.StarterForm()
            if (
                apply_service(
                    request,
                    form,
                    services.procedure_withdraw,
                    _("Proposal withdrawn."),
                    version=version,
                    by=request.user,
                )
                is None
            ):
                messages.error(request, " ".join(form.non_field_errors()))
            return redirect("procedures:procedure_detail", pk=procedure.pk)
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            authorise = form.cleaned_data["decision"] == "authorise"
            done = apply_service(
                request,
                form,
                services.procedure_decide,
                _("Authorised: it is the current version now.") if authorise else _("Not authorised."),
                version=version,
                by=request.user,
                authorise=authorise,
                reason=form.cleaned_data["reason"],
            )
            if done is not None:
                return redirect("procedures:procedure_detail", pk=procedure.pk)
        return render_procedure(request, procedure, bound=form, status=400)
