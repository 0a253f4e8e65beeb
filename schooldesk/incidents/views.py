from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import DESK_ROLES, STAFF_ROLES, Role
from schooldesk.core.audit import VIEW, audit_record
from schooldesk.core.throttling import create_allowed
from schooldesk.core.views import FilteredListView, ObjectActionView, RoleRequiredMixin, apply_service
from schooldesk.incidents import forms, services
from schooldesk.incidents.choices import PAUSED_STATUSES, IncidentStatus
from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.models import Attachment, Incident
from schooldesk.incidents.selectors import incident_get, incident_list, incident_rows, incident_timeline, triage_queue
from schooldesk.locations.models import Location

WORKING_ROLES = STAFF_ROLES | {Role.PROVIDER}


class IncidentListView(FilteredListView):
    model = Incident
    filterset_class = IncidentFilterSet
    template_name = "incidents/incident_list.html"

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=incident_list(self.request.user),
                                              request=self.request)
        return incident_rows(self.filterset.qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        return context


class TriageView(RoleRequiredMixin, TemplateView):
    required_roles = DESK_ROLES
    template_name = "incidents/triage.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        return super().get_context_data(queue=triage_queue(self.request.user, now), now=now, **kwargs)


class IncidentCreateView(View):
    """Report a problem (anyone) or log a call for a caller (the desk, with ?for=caller)."""

    template_name = "incidents/incident_form.html"

    def _form(self, request, data=None, files=None):
        access = access_for(request.user)
        desk_schools = access.school_ids(STAFF_ROLES)
        on_behalf = request.GET.get("for") == "caller" and desk_schools
        location = request.GET.get("location")
        asset = request.GET.get("asset")
        if on_behalf:
            return forms.IncidentLogForm(data, files, user=request.user, school_ids=desk_schools,
                                         initial_location=location, initial_asset=asset)
        return forms.IncidentReportForm(data, files, user=request.user, initial_location=location, initial_asset=asset)

    def _render(self, request, form, status=200):
        from schooldesk.schools.models import School
        from schooldesk.schools.selectors import spoc_on_duty

        now = timezone.now()
        schools = School.objects.visible_to(request.user).select_related("spoc", "deputy")
        duty = [(school, spoc_on_duty(school, now)) for school in schools]
        return render(request, self.template_name, {"form": form, "duty": duty,
                                                    "on_behalf": isinstance(form, forms.IncidentLogForm)},
                      status=status)

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        form = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            if not create_allowed(request, form):
                return self._render(request, form, status=429)
            data = dict(form.cleaned_data)
            location = data.pop("location")
            upload = data.pop("attachment", None)
            extra = {}
            if isinstance(form, forms.IncidentLogForm):
                extra = {k: data.pop(k) for k in ("reported_by", "reporter_name", "reporter_contact", "channel",
                                                  "category", "impact", "urgency")}
            elif request.GET.get("via") == "qr":
                extra["channel"] = "qr"
            incident = apply_service(
                request, form, services.incident_create, "",
                school=location.school, location=location, by=request.user,
                files=[upload] if upload else (), **extra, **data,
            )
            if incident:
                messages.success(request, _("Thank you. Your call is %(ref)s; we will keep you posted.")
                                 % {"ref": incident.reference})
                return redirect("incidents:incident_detail", pk=incident.pk)
        return self._render(request, form, status=400)


ACTION_ORDER = ["rate", "confirm", "triage", "assign", "escalate", "reply", "chase", "supplier_times", "wait", "resume",
                "resolve", "reopen", "duplicate", "cancel"]


def _action_forms(incident, user, bound=None):
    """The action forms this person may use on this call, with `bound` (a failed one) in its place."""
    access = access_for(user)
    is_desk = access.has_role(incident.school_id, DESK_ROLES)
    is_staff = access.has_role(incident.school_id, STAFF_ROLES)
    is_worker = access.has_role(incident.school_id, WORKING_ROLES)
    is_reporter = user.pk in (incident.reported_by_id, incident.logged_by_id)
    version = {"version": incident.version}
    available = {}
    active = incident.is_active
    if is_desk and active:
        available["triage"] = forms.TriageForm(initial={**version, "category": incident.category_id,
                                                        "impact": incident.impact,
                                                        "location": incident.location_id,
                                                        "urgency": incident.urgency,
                                                        "is_restricted": incident.is_restricted},
                                               incident=incident)
        available["assign"] = forms.AssignForm(initial={**version, "technician": incident.assigned_to_id,
                                                        "next_visit": incident.for_next_visit}, incident=incident)
        available["duplicate"] = forms.DuplicateForm(initial=version, incident=incident, user=user)
    if is_staff and active:
        available["escalate"] = forms.EscalateForm(initial={**version, "supplier": incident.supplier_id,
                                                            "reference": incident.supplier_reference},
                                                   incident=incident)
        available["chase"] = forms.ChaseForm()
    if is_staff and incident.supplier_id and incident.escalated_at and incident.status not in (
            IncidentStatus.CANCELLED, IncidentStatus.DUPLICATE):
        available["supplier_times"] = forms.SupplierTimesForm(initial={
            **version, "responded_at": incident.supplier_responded_at, "fixed_at": incident.supplier_fixed_at})
    if (is_worker and incident.status not in (IncidentStatus.CANCELLED, IncidentStatus.DUPLICATE)
            or is_reporter and (active or incident.status == IncidentStatus.RESOLVED)):
        available["reply"] = forms.ReplyForm(initial={"is_public": True})
    if is_worker and active:
        if incident.status in PAUSED_STATUSES:
            available["resume"] = forms.ResumeForm(initial=version)
        else:
            available["wait"] = forms.WaitForm(initial=version)
        available["resolve"] = forms.ResolveForm(initial=version)
    if (is_reporter or is_desk) and active:
        available["cancel"] = forms.CancelForm(initial=version)
    can_rate = services.satisfaction_can_rate(user, incident)
    if (is_reporter or is_desk) and incident.status == IncidentStatus.RESOLVED:
        available["confirm"] = forms.ConfirmForm(rate=can_rate and not incident.satisfaction)
    if can_rate and (incident.status == IncidentStatus.CLOSED or incident.satisfaction):
        # closed, or rated and still changeable: the question on its own
        available["rate"] = forms.RateForm(initial={"rating": incident.satisfaction,
                                                    "comment": incident.satisfaction_comment})
    if (is_reporter or is_staff) and incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        available["reopen"] = forms.ReopenForm()
    if bound is not None:
        name, form = bound
        available[name] = form
    available = {name: available[name] for name in ACTION_ORDER if name in available}
    for name, form in available.items():
        form.auto_id = f"id_{name}_%s"  # one page holds every action form: ids and labels must not clash
    return available, {"is_desk": is_desk, "is_staff": is_staff, "is_worker": is_worker, "is_reporter": is_reporter}


def render_incident(request, incident, bound=None, status=200):
    action_forms, who = _action_forms(incident, request.user, bound)
    timeline = incident_timeline(incident, include_internal=who["is_worker"])
    return render(request, "incidents/incident_detail.html", {
        "incident": incident, "timeline": timeline, "forms": action_forms, "who": who, "now": timezone.now(),
        "sla_state": incident.sla_state(timezone.now()), "failed": bound[0] if bound else None,
    }, status=status)


class IncidentDetailView(View):
    def get(self, request, pk):
        try:
            incident = incident_get(request.user, pk)
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
        if incident.is_restricted:  # who read a data-breach or safeguarding call is on the school's audit trail
            audit_record(actor=request.user, school=incident.school, action=VIEW, obj=incident,
                         summary=f"Opened the restricted call {incident.reference}")
        return render_incident(request, incident)


#: action name → (form class, whether the form needs the call, the service call, success message)
ACTIONS = {
    "triage": (forms.TriageForm, True, lambda i, u, d: services.incident_triage(
        incident=i, by=u, version=d["version"], category=d["category"], impact=d["impact"], urgency=d["urgency"],
        priority=d["priority"], reason=d["reason"], is_restricted=d["is_restricted"], location=d["location"]),
        _("Triaged.")),
    "assign": (forms.AssignForm, True, lambda i, u, d: services.incident_assign(
        incident=i, by=u, version=d["version"], technician=d["technician"], next_visit=d["next_visit"], note=d["note"]),
        _("Forwarded to first-level support.")),
    "escalate": (forms.EscalateForm, True, lambda i, u, d: services.incident_escalate(
        incident=i, by=u, version=d["version"], supplier=d["supplier"], reference=d["reference"], note=d["note"]),
        _("Escalated to the second-level provider.")),
    "chase": (forms.ChaseForm, False, lambda i, u, d: services.incident_chase(incident=i, by=u, note=d["note"]),
              _("Chase recorded.")),
    "reply": (forms.ReplyForm, False, lambda i, u, d: services.incident_reply(
        incident=i, by=u, body=d["body"], is_public=d["is_public"], minutes_spent=d["minutes_spent"] or 0,
        files=[d["attachment"]] if d.get("attachment") else ()), _("Update added.")),
    "supplier_times": (forms.SupplierTimesForm, False, lambda i, u, d: services.incident_record_supplier_times(
        incident=i, by=u, version=d["version"], responded_at=d["responded_at"], fixed_at=d["fixed_at"]),
        _("The supplier's times are recorded.")),
    "wait": (forms.WaitForm, False, lambda i, u, d: services.incident_wait(
        incident=i, by=u, version=d["version"], on=d["on"], note=d["note"]),
        _("The SLA clock is paused while we wait.")),
    "resume": (forms.ResumeForm, False, lambda i, u, d: services.incident_resume(
        incident=i, by=u, version=d["version"], note=d["note"]), _("The SLA clock is running again.")),
    "resolve": (forms.ResolveForm, False, lambda i, u, d: services.incident_resolve(
        incident=i, by=u, version=d["version"], resolution=d["resolution"], is_workaround=d["is_workaround"],
        minutes_spent=d["minutes_spent"] or 0), _("Resolved. The reporter has been asked to confirm.")),
    "rate": (forms.RateForm, False, lambda i, u, d: services.incident_rate(
        incident=i, by=u, rating=d["rating"], comment=d["comment"]), _("Thank you for rating the help you got.")),
    "confirm": (forms.ConfirmForm, False, lambda i, u, d: services.incident_confirm(
        incident=i, by=u, satisfaction=d["satisfaction"], comment=d["comment"]), _("Thank you: the call is closed.")),
    "reopen": (forms.ReopenForm, False, lambda i, u, d: services.incident_reopen(incident=i, by=u, reason=d["reason"]),
               _("Reopened.")),
    "cancel": (forms.CancelForm, False, lambda i, u, d: services.incident_cancel(
        incident=i, by=u, version=d["version"], reason=d["reason"]), _("Cancelled.")),
    "duplicate": (forms.DuplicateForm, True, lambda i, u, d: services.incident_mark_duplicate(
        incident=i, by=u, version=d["version"], original=d["original"]), _("Linked as a duplicate.")),
}


class IncidentActionView(ObjectActionView):
    """POST only: one of ACTIONS on a call. A failed form re-renders the call with what was typed."""

    def get_object(self):
        try:
            return incident_get(self.request.user, self.kwargs["pk"])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc

    def get_form(self, incident, data, files):
        form_class, wants_incident, _call, _message = ACTIONS[self.action]
        kwargs = {"incident": incident} if wants_incident else {}
        if form_class is forms.ConfirmForm:
            kwargs = {"rate": services.satisfaction_can_rate(self.request.user, incident)}
        if form_class is forms.DuplicateForm:
            kwargs["user"] = self.request.user
        return form_class(data, files, **kwargs)

    def perform(self, incident, form):
        return ACTIONS[self.action][2](incident, self.request.user, form.cleaned_data)

    def get_success_message(self, result):
        return ACTIONS[self.action][3]

    def get_success_url(self, incident):
        return reverse("incidents:incident_detail", args=[incident.pk])

    def render_failed(self, incident, form):
        return render_incident(self.request, incident, bound=(self.action, form), status=400)


class AttachmentDownloadView(View):
    """Attachments are only ever served as downloads, after the same visibility check as the call."""

    def get(self, request, pk, attachment_pk):
        incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
        attachments = Attachment.objects.filter(incident=incident)
        if not access_for(request.user).has_role(incident.school_id, WORKING_ROLES):
            attachments = attachments.exclude(update__is_public=False)
        attachment = get_object_or_404(attachments, pk=attachment_pk)
        response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                                content_type="application/octet-stream")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class QrReportView(View):
    """A room's QR label opens the report form with the location filled in."""

    def get(self, request, location_pk):
        location = get_object_or_404(Location.objects.visible_to(request.user), pk=location_pk)
        return redirect(f"/incidents/new/?location={location.pk}&via=qr")


@method_decorator(login_not_required, name="dispatch")
class RatingLinkView(View):
    """The one-click rating link of the resolution email (decision 0022). The signed, expiring token names the
    call and the rating. A reporter with an account signs in first; a caller without one (by email or phone)
    rates through the link alone, and the page then shows no more than the call's reference. The click opens
    this page with the answer chosen; the rating is recorded by its button (a POST), because the link
    checkers of school mail filters open every link in an email."""

    template_name = "incidents/incident_rate.html"

    def _call(self, request, rating_token):
        """(incident, rating, who rates) or an HttpResponse explaining why not."""
        try:
            pk, rating = services.satisfaction_token_read(rating_token)
        except ValidationError as exc:
            return self._problem(request, exc.messages[0], status=400)
        incident = Incident.objects.select_related("school").filter(pk=pk).first()
        if incident is None:
            raise Http404
        if incident.reported_by_id:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.pk != incident.reported_by_id:
                return self._problem(request, _("This link is for the person who reported the call."), status=403)
            return incident, rating, request.user
        return incident, rating, None

    def _problem(self, request, message, status):
        return render(request, self.template_name, {"problem": message}, status=status)

    def _render(self, request, incident, form, by, status=200):
        refusal = services.satisfaction_refusal(incident)
        return render(request, self.template_name, {
            "incident": incident, "form": None if refusal else form, "refusal": refusal, "signed_in": by is not None,
        }, status=status)

    def get(self, request, rating_token):
        found = self._call(request, rating_token)
        if not isinstance(found, tuple):
            return found
        incident, rating, by = found
        form = forms.RateForm(initial={"rating": rating, "comment": incident.satisfaction_comment})
        return self._render(request, incident, form, by)

    def post(self, request, rating_token):
        found = self._call(request, rating_token)
        if not isinstance(found, tuple):
            return found
        incident, _rating, by = found
        form = forms.RateForm(request.POST)
        if form.is_valid():
            try:
                services.incident_rate(incident=incident, by=by, rating=form.cleaned_data["rating"],
                                       comment=form.cleaned_data["comment"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                if by is not None:
                    messages.success(request, _("Thank you for rating the help you got."))
                    return redirect("incidents:incident_detail", pk=incident.pk)
                return render(request, self.template_name, {"incident": incident, "thanks": True})
        return self._render(request, incident, form, by, status=400)
