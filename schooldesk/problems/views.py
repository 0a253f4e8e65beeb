from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

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
    redirect_back,
)
from schooldesk.problems import forms, services
from schooldesk.problems.choices import MANUAL_STATUSES
from schooldesk.problems.filtersets import ProblemFilterSet
from schooldesk.problems.models import Problem
from schooldesk.problems.selectors import (
    call_for_problem,
    call_of_problem,
    call_visible,
    candidate_settings,
    candidate_settings_school_ids,
    known_error_suggestions,
    known_errors_given,
    problem_calls,
    problem_candidates,
    problem_get,
    problem_list,
    problem_notes,
    problem_report,
    problem_school_ids,
    problems_for_incident,
)
from schooldesk.problems.tables import PROBLEM_PAGE, PROBLEM_REPORT_EXPORT
from schooldesk.schools.models import School
from schooldesk.schools.selectors import schools_for


def _problem_or_404(request, pk) -> Problem:
    try:
        return problem_get(user=request.user, pk=pk)
    except Problem.DoesNotExist as exc:
        raise Http404 from exc


class ProblemListView(FilteredListView):
    model = Problem
    selector = problem_list
    filterset_class = ProblemFilterSet
    table = PROBLEM_PAGE
    permission = "problems.change"
    template_name = "problems/problem_list.html"


class ProblemEditView(FormPageView):
    """Raise a problem (from a call with ?incident=, which is then linked) or edit it."""

    permission = "problems.change"
    template_name = "problems/problem_form.html"
    context_object_name = "problem"

    def get_object(self):
        pk = self.kwargs.get("pk")
        self.incident = None
        return _problem_or_404(self.request, pk) if pk else Problem()

    def get_form(self, data=None, files=None):
        request, initial, school_ids = self.request, {}, problem_school_ids(user=self.request.user)
        wanted = request.GET.get("incident", "")
        if not self.object.pk and wanted.isdigit():
            self.incident = call_for_problem(user=request.user, pk=int(wanted))
            if self.incident is not None:
                incident = self.incident
                initial = {
                    "title": incident.summary,
                    "category": incident.category_id,
                    "location": incident.location_id,
                    "asset": incident.asset_id,
                    "device": incident.device,
                    "priority": incident.priority,
                    "symptoms": incident.happened or incident.description,
                }
        return forms.ProblemForm(
            data,
            instance=self.object,
            initial=initial,
            school_ids=school_ids,
            school=self.incident.school if self.incident else None,
        )

    def get_context_data(self, **context):
        return {**context, "incident": self.incident}

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("school", None)  # the decided school is form.owner
        if self.object.pk:
            return services.problem_update(problem=self.object, by=self.request.user, version=version, **data)
        incident = self.incident
        from_call = [incident] if incident and incident.school_id == form.owner.pk else []
        return services.problem_create(by=self.request.user, incidents=from_call, school=form.owner, **data)

    def get_success_message(self, result):
        return _("Saved.") if self.object.pk else _("Problem %(ref)s raised.") % {"ref": result.reference}

    def get_success_url(self, result):
        return reverse("problems:problem_detail", args=[result.pk])


ACTION_ORDER = ["note", "link", "known_error", "resolve", "status", "close"]


def _action_forms(problem, user, bound=None) -> dict:
    version = {"version": problem.version}
    available = {"note": forms.NoteForm()}
    if problem.status != "closed":
        available["link"] = forms.LinkForm(problem=problem, user=user)
    if problem.is_active:
        available["known_error"] = forms.KnownErrorForm(
            initial={
                **version,
                "workaround": problem.workaround,
                "audience": problem.workaround_audience,
                "root_cause": problem.root_cause,
            }
        )
        available["resolve"] = forms.ResolveForm(initial={**version, "root_cause": problem.root_cause})
    status = problem.status if problem.status in MANUAL_STATUSES else "investigating"
    available["status"] = forms.StatusForm(initial={**version, "status": status})
    if problem.status != "closed":
        available["close"] = forms.CloseForm(initial=version)
    if bound is not None:
        available[bound[0]] = bound[1]
    available = {name: available[name] for name in ACTION_ORDER if name in available}
    for name, form in available.items():
        form.auto_id = f"id_{name}_%s"
    return available


def render_problem(request, problem, bound=None, status=200):
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "notes": problem_notes(problem=problem),
            "calls": problem_calls(user=request.user, problem=problem),
            "changes": problem.changes.order_by("-created_at"),
            "forms": _action_forms(problem, request.user, bound),
            "failed": bound[0] if bound else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


class ProblemDetailView(PermissionRequiredMixin, View):
    permission = "problems.change"

    def get(self, request, pk):
        return render_problem(request, _problem_or_404(request, pk))


ACTIONS = {
    "note": (
        forms.NoteForm,
        lambda p, u, d: services.problem_note_add(problem=p, by=u, body=d["body"]),
        _("Progress note added."),
    ),
    "link": (
        forms.LinkForm,
        lambda p, u, d: services.problem_incidents_link(problem=p, by=u, incidents=d["references"]),
        _("Calls linked."),
    ),
    "status": (
        forms.StatusForm,
        lambda p, u, d: services.problem_status_set(
            problem=p, by=u, version=d["version"], status=d["status"], note=d["note"]
        ),
        _("Status changed."),
    ),
    "known_error": (
        forms.KnownErrorForm,
        lambda p, u, d: services.problem_known_error(
            problem=p,
            by=u,
            version=d["version"],
            workaround=d["workaround"],
            root_cause=d["root_cause"],
            audience=d["audience"],
        ),
        _("Recorded as a known error: the desk will be offered its workaround."),
    ),
    "resolve": (
        forms.ResolveForm,
        lambda p, u, d: services.problem_resolve(
            problem=p,
            by=u,
            version=d["version"],
            resolution=d["resolution"],
            root_cause=d["root_cause"],
            resolve_calls=d["resolve_calls"],
        ),
        "",
    ),
    "close": (
        forms.CloseForm,
        lambda p, u, d: services.problem_close(problem=p, by=u, version=d["version"], note=d["note"]),
        _("Closed."),
    ),
}


class ProblemActionView(PermissionRequiredMixin, ObjectActionView):
    """POST only: one of ACTIONS; a failed form re-renders the problem with what was typed."""

    permission = "problems.change"

    def get_object(self):
        return _problem_or_404(self.request, self.kwargs["pk"])

    def get_form(self, problem, data, files):
        form_class = ACTIONS[self.action][0]
        return form_class(
            data, **({"problem": problem, "user": self.request.user} if form_class is forms.LinkForm else {})
        )

    def perform(self, problem, form):
        return ACTIONS[self.action][1](problem, self.request.user, form.cleaned_data)

    def get_success_message(self, result):
        if self.action == "resolve":
            resolved = getattr(result, "calls_resolved", [])
            return (
                _("Resolved. %(n)s open calls resolved with it; their reporters have been told.") % {"n": len(resolved)}
                if resolved
                else _("Resolved.")
            )
        return ACTIONS[self.action][2]

    def get_success_url(self, problem):
        return reverse("problems:problem_detail", args=[problem.pk])

    def render_failed(self, problem, form):
        return render_problem(self.request, problem, bound=(self.action, form), status=400)


class ProblemUnlinkView(PermissionRequiredMixin, View):
    permission = "problems.change"

    def post(self, request, pk):
        problem = _problem_or_404(request, pk)
        form = forms.UnlinkForm(request.POST)
        incident = None
        if form.is_valid():
            incident = call_of_problem(user=request.user, problem=problem, pk=form.cleaned_data["incident"])
        if incident is None:
            raise Http404
        apply_service(
            request,
            form,
            services.problem_incident_unlink,
            _("Call unlinked."),
            problem=problem,
            by=request.user,
            incident=incident,
        )
        if form.non_field_errors():
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect("problems:problem_detail", pk=problem.pk)


class GiveWorkaroundView(PermissionRequiredMixin, View):
    """From the known errors offered on a call: the workaround goes to the call as a public update."""

    permission = "problems.change"

    def post(self, request, pk):
        problem = _problem_or_404(request, pk)
        form = forms.GiveWorkaroundForm(request.POST)
        incident = None
        if form.is_valid():
            incident = call_of_problem(user=request.user, problem=problem, pk=form.cleaned_data["incident"])
        if incident is None:
            raise Http404
        done = apply_service(
            request,
            form,
            services.known_error_give,
            _("The workaround of %(ref)s is on the call as an update for the reporter, and the call is linked to it.")
            % {"ref": problem.reference},
            problem=problem,
            incident=incident,
            by=request.user,
        )
        if done is None:
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect_back(request, f"/incidents/{incident.pk}/")


class KnownErrorSuggestView(View):
    """The known errors that look like a call, as an htmx fragment for the report form and the call page
    (or as a page of its own). ?incident= takes the call's own details; otherwise ?location, ?category,
    ?asset and ?summary (or ?q) as they are being typed."""

    def get(self, request):
        def number(name):
            value = request.GET.get(name, "")
            return int(value) if value.isdigit() else None

        incident, given, linked = None, set(), []
        if (pk := number("incident")) is not None:
            incident = call_visible(user=request.user, pk=pk)
            if incident is None:
                raise Http404
            found = known_error_suggestions(
                user=request.user,
                location_id=incident.location_id,
                category_id=incident.category_id,
                asset_id=incident.asset_id,
                text=f"{incident.summary} {incident.device}",
                school_ids=[incident.school_id],
            )
            given = known_errors_given(incident=incident)
            linked = problems_for_incident(user=request.user, incident=incident)
        else:
            found = known_error_suggestions(
                user=request.user,
                location_id=number("location"),
                category_id=number("category"),
                asset_id=number("asset"),
                text=" ".join(request.GET.get(k, "") for k in ("summary", "q", "device")),
            )
        is_staff = incident is not None and can(request.user, "problems.give_workaround", incident)
        context = {
            "suggestions": found,
            "incident": incident,
            "given": given,
            "linked": linked,
            "can_give": is_staff and incident.is_active,
            "is_staff": is_staff,
        }
        if getattr(request, "htmx", False):
            return render(request, "problems/known_error_suggest.html#suggestions", context)
        return render(request, "problems/known_error_suggest.html", context)


def render_candidates(request, bound=None, status=200):
    """Repeat calls that may be a problem, and (for the desk) when each school counts calls as repeats."""
    school_ids = problem_school_ids(user=request.user)
    wanted = request.GET.get("school", "")
    school = School.objects.filter(pk=int(wanted), pk__in=school_ids).first() if wanted.isdigit() else None
    desk_ids = candidate_settings_school_ids(user=request.user)
    schools = {s.pk: s for s in School.objects.filter(pk__in=set(school_ids) | set(desk_ids))}
    settings_forms = []
    for school_id, (calls, days) in candidate_settings(desk_ids).items():
        if bound is not None and bound[0] == school_id:
            form = bound[1]
        else:
            form = forms.SettingsForm(initial={"school": school_id, "candidate_calls": calls, "candidate_days": days})
        form.auto_id = f"id_s{school_id}_%s"
        settings_forms.append((schools[school_id], form))
    return render(
        request,
        "problems/candidates.html",
        {
            "candidates": problem_candidates(user=request.user, school=school),
            "settings_forms": settings_forms,
            "school": school,
            "schools": [schools[pk] for pk in school_ids],
        },
        status=status,
    )


class CandidatesView(PermissionRequiredMixin, View):
    permission = "problems.create"

    def get(self, request):
        return render_candidates(request)


class RaiseCandidateView(PermissionRequiredMixin, View):
    permission = "problems.create"

    def post(self, request):
        form = forms.RaiseCandidateForm(request.POST)
        if form.is_valid():
            school = School.objects.filter(
                pk=form.cleaned_data["school"], pk__in=problem_school_ids(user=request.user)
            ).first()
            if school is None:
                raise Http404
            problem = apply_service(
                request,
                form,
                services.problem_from_candidate,
                "",
                school=school,
                by=request.user,
                basis=form.cleaned_data["basis"],
                key=form.cleaned_data["key"],
                title=form.cleaned_data["title"],
            )
            if problem is not None:
                messages.success(
                    request,
                    _("Problem %(ref)s raised from %(n)s calls.")
                    % {"ref": problem.reference, "n": problem.links.count()},
                )
                return redirect("problems:problem_detail", pk=problem.pk)
        messages.error(request, " ".join(form.non_field_errors()) or _("That candidate could not be raised."))
        return redirect("problems:candidates")


class CandidateSettingsView(PermissionRequiredMixin, View):
    permission = "problems.settings"

    def post(self, request):
        form = forms.SettingsForm(request.POST)
        school_id = request.POST.get("school", "")
        school = None
        if school_id.isdigit():
            school = School.objects.filter(
                pk=int(school_id), pk__in=candidate_settings_school_ids(user=request.user)
            ).first()
        if school is None:
            raise Http404
        if (
            form.is_valid()
            and apply_service(
                request,
                form,
                services.problem_settings_save,
                _("Saved: repeat calls for %(school)s are counted that way.") % {"school": school.name},
                school=school,
                by=request.user,
                candidate_calls=form.cleaned_data["candidate_calls"],
                candidate_days=form.cleaned_data["candidate_days"],
            )
            is not None
        ):
            return redirect("problems:candidates")
        return render_candidates(request, bound=(school.pk, form), status=400)


class ProblemReportView(PermissionRequiredMixin, View):
    permission = "problems.report"

    def get(self, request):
        form = PeriodForm.from_query(request.GET, schools=schools_for(user=request.user, roles=REPORT_ROLES))
        report = None
        if form.is_valid():
            report = problem_report(
                user=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                school=form.cleaned_data["school"],
            )
            if request.GET.get("format") == "csv":
                name = f"problem-report-{report['start']:%Y-%m-%d}-to-{report['end']:%Y-%m-%d}"
                return export_response(PROBLEM_REPORT_EXPORT, "csv", name, report["rows"])
        return render(
            request,
            "problems/problem_report.html",
            {"form": form, "report": report},
            status=200 if form.is_valid() else 400,
        )
