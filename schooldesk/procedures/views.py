from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.accounts.access import access_for
from schooldesk.core.views import RoleRequiredMixin, apply_service, is_filtered
from schooldesk.procedures import forms, services
from schooldesk.procedures.choices import AUTHORISE_ROLES, PROPOSE_ROLES
from schooldesk.procedures.filtersets import ProcedureFilterSet
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.selectors import procedure_get, procedure_history, procedure_list, proposals_waiting
from schooldesk.schools.models import School


def _procedure_or_404(request, pk) -> Procedure:
    try:
        return procedure_get(request.user, pk)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


class ProcedureListView(View):
    """The desk's procedures, readable by everyone in school; proposals waiting for the desk and the owner."""

    def get(self, request):
        access = access_for(request.user)
        filterset = ProcedureFilterSet(request.GET or None, queryset=procedure_list(request.user), request=request)
        procedures = list(filterset.qs.order_by("school__name", "position", "title"))
        desk_ids = access.school_ids(PROPOSE_ROLES)
        with_procedures = Procedure.objects.filter(school_id__in=desk_ids).values("school_id")
        return render(request, "procedures/procedure_list.html", {
            "procedures": procedures, "proposals": list(proposals_waiting(request.user)) if desk_ids else [],
            "can_propose": bool(desk_ids), "can_authorise": access.any_role(AUTHORISE_ROLES),
            "starter_schools": School.objects.filter(pk__in=desk_ids).exclude(pk__in=with_procedures),
            "filter": filterset, "is_filtered": is_filtered(request.GET),
        })


class ProcedureCreateView(RoleRequiredMixin, View):
    required_roles = PROPOSE_ROLES

    def _form(self, request, data=None):
        return forms.ProposalForm(data, school_ids=access_for(request.user).school_ids(PROPOSE_ROLES))

    def get(self, request):
        return render(request, "procedures/proposal_form.html", {"form": self._form(request), "procedure": None})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            version = apply_service(request, form, services.procedure_create,
                                    _("Proposed. The ICT owner will authorise it."), school=d["school"],
                                    by=request.user, title=d["title"], body=d["body"], note=d["note"])
            if version is not None:
                return redirect("procedures:procedure_detail", pk=version.procedure_id)
        return render(request, "procedures/proposal_form.html", {"form": form, "procedure": None}, status=400)


class StarterView(RoleRequiredMixin, View):
    required_roles = PROPOSE_ROLES

    def post(self, request):
        form = forms.StarterForm(request.POST)
        school = None
        if form.is_valid():
            school = School.objects.filter(pk=form.cleaned_data["school"],
                                           pk__in=access_for(request.user).school_ids(PROPOSE_ROLES)).first()
        if school is None:
            raise Http404
        made = services.procedures_starter_create(school=school, by=request.user)
        messages.success(request, _("%(n)s procedures proposed from the starting set: the ICT owner authorises each.")
                         % {"n": len(made)})
        return redirect("procedures:procedure_list")


def render_procedure(request, procedure, bound=None, status=200):
    access = access_for(request.user)
    history = procedure_history(request.user, procedure)
    proposal = next((v for v in history if v.is_proposed), None)
    decide = None
    if proposal is not None and access.has_role(procedure.school_id, AUTHORISE_ROLES):
        decide = bound or forms.DecisionForm()
    return render(request, "procedures/procedure_detail.html", {
        "procedure": procedure, "history": history, "proposal": proposal, "decide": decide,
        "can_propose": access.has_role(procedure.school_id, PROPOSE_ROLES),
    }, status=status)


class ProcedureDetailView(View):
    def get(self, request, pk):
        return render_procedure(request, _procedure_or_404(request, pk))


class ProposeView(RoleRequiredMixin, View):
    """The desk proposes a change to a procedure, starting from its current text."""

    required_roles = PROPOSE_ROLES

    def _procedure(self, request, pk):
        procedure = _procedure_or_404(request, pk)
        if not access_for(request.user).has_role(procedure.school_id, PROPOSE_ROLES):
            raise Http404
        return procedure

    def get(self, request, pk):
        procedure = self._procedure(request, pk)
        current = procedure.current_version
        form = forms.ProposalForm(procedure=procedure, initial={"title": procedure.title,
                                                                "body": current.body if current else ""})
        return render(request, "procedures/proposal_form.html", {"form": form, "procedure": procedure})

    def post(self, request, pk):
        procedure = self._procedure(request, pk)
        form = forms.ProposalForm(request.POST, procedure=procedure)
        if form.is_valid():
            d = form.cleaned_data
            if apply_service(request, form, services.procedure_propose, _("Proposed. The ICT owner will authorise it."),
                             procedure=procedure, by=request.user, title=d["title"], body=d["body"],
                             note=d["note"]) is not None:
                return redirect("procedures:procedure_detail", pk=procedure.pk)
        return render(request, "procedures/proposal_form.html", {"form": form, "procedure": procedure}, status=400)


class VersionView(View):
    """One version's text, as it was (proposals only for the desk)."""

    def get(self, request, pk, version_pk):
        procedure = _procedure_or_404(request, pk)
        version = next((v for v in procedure_history(request.user, procedure) if v.pk == version_pk), None)
        if version is None:
            raise Http404
        return render(request, "procedures/version_detail.html", {"procedure": procedure, "version": version})


class VersionActionView(RoleRequiredMixin, View):
    """POST only: the owner decides on a proposal, or the desk withdraws it."""

    required_roles = PROPOSE_ROLES
    action = ""

    def post(self, request, pk, version_pk):
        procedure = _procedure_or_404(request, pk)
        version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=version_pk,
                                    procedure=procedure)
        if not access_for(request.user).has_role(procedure.school_id, PROPOSE_ROLES):
            raise Http404
        if self.action == "withdraw":
            form = forms.StarterForm()
            if apply_service(request, form, services.procedure_withdraw, _("Proposal withdrawn."), version=version,
                             by=request.user) is None:
                messages.error(request, " ".join(form.non_field_errors()))
            return redirect("procedures:procedure_detail", pk=procedure.pk)
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            authorise = form.cleaned_data["decision"] == "authorise"
            done = apply_service(request, form, services.procedure_decide,
                                 _("Authorised: it is the current version now.") if authorise else _("Not authorised."),
                                 version=version, by=request.user, authorise=authorise,
                                 reason=form.cleaned_data["reason"])
            if done is not None:
                return redirect("procedures:procedure_detail", pk=procedure.pk)
        return render_procedure(request, procedure, bound=form, status=400)
