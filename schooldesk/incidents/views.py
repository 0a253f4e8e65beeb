import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from schooldesk.core.audit import VIEW, audit_record
from schooldesk.core.permissions import can
from schooldesk.core.throttling import create_allowed
from schooldesk.core.views import (
    CappedPaginator,
    FilteredListView,
    ObjectActionView,
    PermissionRequiredMixin,
    already_sent,
    run_once,
)
from schooldesk.incidents import forms, services
from schooldesk.incidents.actions import ACTIONS, offers_for
from schooldesk.incidents.bulk import MAX_CALLS, actions_for, bulk_apply
from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.models import Attachment, Incident, SavedView
from schooldesk.incidents.selectors import (
    incident_get,
    incident_list,
    incident_table,
    incident_timeline,
    saved_view_counts,
    saved_views_for,
    staff_school_ids,
    triage_queue,
)
from schooldesk.incidents.tables import CALL_TABLE
from schooldesk.locations.models import Location
from schooldesk.safeguarding.selectors import restricted_stub
from schooldesk.safeguarding.services import restricted_call_report
from schooldesk.schools.models import School
from schooldesk.schools.selectors import spoc_on_duty


class BulkMixin:
    """A list whose ticked calls the person can act on together (incidents/bulk.py): GET shows the picker above
    the list; POST applies the chosen action call by call, then comes back to the same list with a summary of
    what changed and what was refused and why. A form that lacks what its action needs shows the list again
    (400) with the errors, the ticks and what was typed."""

    bulk_form = None
    ticked: frozenset = frozenset()

    def get_bulk_form(self, data=None):
        actions = actions_for(self.request.user)
        return forms.BulkForm(data, user=self.request.user, actions=actions, auto_id="id_bulk_%s") if actions else None

    def post(self, request, *args, **kwargs):
        form = self.get_bulk_form(request.POST)
        if form is None:
            raise PermissionDenied(_("Your role does not include acting on several calls."))
        ids = sorted({int(v) for v in request.POST.getlist("call") if v.isdigit()})[:MAX_CALLS]
        chosen = list(incident_list(user=request.user).filter(pk__in=ids).order_by("pk")) if ids else []
        if not chosen:
            messages.error(request, _("Tick the calls to act on first."))
            return redirect(request.get_full_path())
        if form.is_valid():
            data = form.cleaned_data
            result = bulk_apply(incidents=chosen, by=request.user, action=form.actions[data["action"]], data=data)
            if result.done:
                messages.success(request, result.summary())
            else:
                messages.error(request, result.summary())
            return redirect(request.get_full_path())
        self.bulk_form, self.ticked = form, frozenset(i.pk for i in chosen)
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response

    def bulk_context(self) -> dict:
        form = self.bulk_form if self.bulk_form is not None else self.get_bulk_form()
        return {"bulk": form.freeze() if form is not None and not form.is_bound else form, "ticked": self.ticked}


class IncidentListView(BulkMixin, FilteredListView):
    model = Incident
    paginator_class = CappedPaginator
    selector = incident_table
    filterset_class = IncidentFilterSet
    table = CALL_TABLE
    template_name = "incidents/incident_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        context.update(self.bulk_context())
        context["query_string"] = self.request.GET.urlencode()
        return context


class TriageView(BulkMixin, PermissionRequiredMixin, TemplateView):
    permission = "incidents.triage_queue"
    template_name = "incidents/triage.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        return super().get_context_data(
            queue=triage_queue(user=self.request.user, now=now), now=now, **self.bulk_context(), **kwargs
        )


class IncidentCreateView(View):
    """Report a problem (anyone) or log a call for a caller (the desk, with ?for=caller)."""

    template_name = "incidents/incident_form.html"

    def _form(self, request, data=None, files=None):
        desk_schools = staff_school_ids(user=request.user)
        on_behalf = request.GET.get("for") == "caller" and desk_schools
        location = request.GET.get("location")
        asset = request.GET.get("asset")
        if on_behalf:
            return forms.IncidentLogForm(
                data, files, user=request.user, school_ids=desk_schools, initial_location=location, initial_asset=asset
            )
        return forms.IncidentReportForm(data, files, user=request.user, initial_location=location, initial_asset=asset)

    def _render(self, request, form, status=200):
        now = timezone.now()
        schools = School.objects.visible_to(request.user).select_related("spoc", "deputy")
        duty = [(school, spoc_on_duty(school=school, moment=now)) for school in schools]
        return render(
            request,
            self.template_name,
            {"form": form, "duty": duty, "on_behalf": isinstance(form, forms.IncidentLogForm)},
            status=status,
        )

    def get(self, request):
        return self._render(request, self._form(request))

    def post(self, request):
        if (repeat := already_sent(request)) is not None:  # the same call sent twice: logged once
            return repeat
        form = self._form(request, request.POST, request.FILES)
        if form.is_valid():
            if not create_allowed(request, form):
                return self._render(request, form, status=429)
            data = dict(form.cleaned_data)
            lane = data.pop("restricted_lane", "")
            location = data.pop("location")
            upload = data.pop("attachment", None)
            extra = {}
            if isinstance(form, forms.IncidentLogForm):
                extra = {
                    k: data.pop(k)
                    for k in (
                        "reported_by",
                        "reporter_name",
                        "reporter_contact",
                        "channel",
                        "category",
                        "impact",
                        "urgency",
                    )
                }
            elif request.GET.get("via") == "qr":
                extra["channel"] = "qr"
            create = services.incident_create
            if lane:  # straight into the restricted lane (docs/decisions/0023)
                create = functools.partial(restricted_call_report, lane=lane)
            incident, _url, repeat = run_once(
                request,
                form,
                lambda: create(
                    school=location.school,
                    location=location,
                    by=request.user,
                    files=[upload] if upload else (),
                    **extra,
                    **data,
                ),
                lambda created: reverse("incidents:incident_detail", args=[created.pk]),
            )
            if repeat is not None:
                return repeat
            if incident:
                messages.success(
                    request,
                    _("Thank you. Your call is %(ref)s; we will keep you posted.") % {"ref": incident.reference},
                )
                return redirect("incidents:incident_detail", pk=incident.pk)
        return self._render(request, form, status=400)


def who_for(incident, user) -> dict:
    """What the call's page shows this person beside the actions (the same rules as the services)."""
    return {
        "is_staff": can(user, "incidents.see_staff_side", incident),
        "is_worker": can(user, "incidents.see_internal", incident),
    }


def render_incident(request, incident, bound=None, status=200):
    who = who_for(incident, request.user)
    offers = offers_for(incident, request.user, bound)
    timeline = incident_timeline(incident=incident, include_internal=who["is_worker"])
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "timeline": timeline,
            "offers": offers,
            "after": list(dict.fromkeys(o.action.after_template for o in offers if o.action.after_template)),
            "who": who,
            "now": timezone.now(),
            "sla_state": incident.sla_state(timezone.now()),
            "failed": bound[0] if bound else None,
        },
        status=status,
    )


class IncidentDetailView(View):
    def get(self, request, pk):
        try:
            incident = incident_get(user=request.user, pk=pk)
        except Incident.DoesNotExist as exc:
            stub = restricted_stub(user=request.user, pk=pk)  # the desk learns that it exists and who holds it, no more
            if stub is None:
                raise Http404 from exc
            return render(request, "safeguarding/restricted_stub.html", {"stub": stub})
        if incident.is_restricted:  # who read a data-breach or safeguarding call is on the school's audit trail
            audit_record(
                actor=request.user,
                school=incident.school,
                action=VIEW,
                obj=incident,
                summary=f"Opened the restricted call {incident.reference}",
            )
        return render_incident(request, incident)


class IncidentActionView(ObjectActionView):
    """POST only: one of the call page's actions (incidents/actions.py). A failed form re-renders the call with what
    was typed."""

    def get_object(self):
        try:
            return incident_get(user=self.request.user, pk=self.kwargs["pk"])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc

    def get_form(self, incident, data, files):
        return ACTIONS[self.action].form(incident, self.request.user, data, files)

    def perform(self, incident, form):
        return ACTIONS[self.action].perform(incident, self.request.user, form.cleaned_data)

    def get_success_message(self, result):
        return ACTIONS[self.action].done

    def get_success_url(self, incident):
        return reverse("incidents:incident_detail", args=[incident.pk])

    def render_failed(self, incident, form):
        return render_incident(self.request, incident, bound=(self.action, form), status=400)


class AttachmentDownloadView(View):
    """Attachments are only ever served as downloads, after the same visibility check as the call."""

    def get(self, request, pk, attachment_pk):
        incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
        attachments = Attachment.objects.filter(incident=incident)
        if not can(request.user, "incidents.see_internal", incident):
            attachments = attachments.exclude(update__is_public=False)
        attachment = get_object_or_404(attachments, pk=attachment_pk)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class QrReportView(View):
    """A room's QR label opens the report form with the location filled in."""

    def get(self, request, location_pk):
        location = get_object_or_404(Location.objects.visible_to(request.user), pk=location_pk)
        return redirect(f"/incidents/new/?location={location.pk}&via=qr")


# --- saved views -------------------------------------------------------------------------------------------------
class SavedViewListView(PermissionRequiredMixin, TemplateView):
    """A person's views of the call list with their counts: a page to open and delete them, and (for htmx) the
    items of the Calls menu, loaded when the menu is opened so that no other page pays for the counts."""

    permission = "incidents.saved_views"
    template_name = "incidents/saved_view_list.html"

    def get_template_names(self):
        return [f"{self.template_name}#menu"] if getattr(self.request, "htmx", False) else [self.template_name]

    def get_context_data(self, **kwargs):
        views = saved_view_counts(request=self.request, views=saved_views_for(user=self.request.user))
        return super().get_context_data(views=views, list_url=reverse("incidents:incident_list"), **kwargs)


class SavedViewSaveView(PermissionRequiredMixin, View):
    """POST from the call list's "Save this view": its filters and sort under a name (the same name replaces)."""

    permission = "incidents.saved_views"

    def post(self, request):
        name = request.POST.get("name", "").strip()[:60]
        query = QueryDict(request.POST.get("query", "")[:1000], mutable=True)
        query.pop("page", None)
        if not name:
            messages.error(request, _("Give the view a name to save it."))
        else:
            services.saved_view_save(user=request.user, name=name, query=query.urlencode())
            messages.success(request, _("Saved as “%(name)s”: it is in the Calls menu.") % {"name": name})
        return redirect(f"{reverse('incidents:incident_list')}?{query.urlencode()}")


class SavedViewDeleteView(PermissionRequiredMixin, View):
    permission = "incidents.saved_views"

    def post(self, request, view_pk):
        saved = get_object_or_404(SavedView.objects.filter(user=request.user), pk=view_pk)
        services.saved_view_delete(view=saved, user=request.user)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": saved.name})
        return redirect("incidents:view_list")


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
        return render(
            request,
            self.template_name,
            {
                "incident": incident,
                "form": None if refusal else form,
                "refusal": refusal,
                "signed_in": by is not None,
            },
            status=status,
        )

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
                services.incident_rate(
                    incident=incident, by=by, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                if by is not None:
                    messages.success(request, _("Thank you for rating the help you got."))
                    return redirect("incidents:incident_detail", pk=incident.pk)
                return render(request, self.template_name, {"incident": incident, "thanks": True})
        return self._render(request, incident, form, by, status=400)
