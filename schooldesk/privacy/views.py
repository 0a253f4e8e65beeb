"""The DPO's pages: subject access requests (record, find the person, see and exempt what is held, download the
pack, answer, erase) and each school's retention schedule (periods, preview, switch on, log). Only the DPO and
the ICT owner of the school reach them (docs/decisions/0024)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.accounts.models import Pupil, User
from schooldesk.core.views import FormPageView, ObjectActionView, PermissionRequiredMixin, apply_service
from schooldesk.privacy import exports, selectors, services
from schooldesk.privacy.choices import RecordKind, RetentionKind
from schooldesk.privacy.forms import (
    EmptyForm,
    ExemptionForm,
    RetentionPolicyForm,
    SubjectAccessRequestForm,
    SubjectChooseForm,
)

LIST_LIMIT = 200


class RequestListView(PermissionRequiredMixin, View):
    permission = "privacy.request"

    def get(self, request):
        rows = list(selectors.request_list(user=request.user).order_by("answered_at", "due_on", "pk")[:LIST_LIMIT])
        return render(
            request,
            "privacy/request_list.html",
            {
                "open": [r for r in rows if not r.answered_at],
                "answered": [r for r in rows if r.answered_at],
                "schools": list(selectors.privacy_schools(user=request.user)),
                "today": timezone.localdate(),
            },
        )


class RequestCreateView(FormPageView):
    permission = "privacy.request"
    template_name = "privacy/request_form.html"

    def get_form(self, data=None, files=None):
        return SubjectAccessRequestForm(data, school_ids=selectors.privacy_school_ids(user=self.request.user))

    def perform(self, form):
        data = form.cleaned_data
        return services.sar_create(
            school=form.owner,
            by=self.request.user,
            requested_by=data["requested_by"],
            subject_name=data["subject_name"],
            subject_email=data["subject_email"],
            received_on=data["received_on"],
            notes=data["notes"],
        )

    def get_success_url(self, result):
        return reverse("privacy:request_detail", args=[result.pk])

    def get_success_message(self, result):
        return _("Request %(ref)s recorded: due on %(due)s.") % {
            "ref": result.reference,
            "due": f"{result.due_on:%d/%m/%Y}",
        }


class RequestMixin(PermissionRequiredMixin):
    permission = "privacy.request"

    def get_object(self):
        obj = get_object_or_404(selectors.request_list(user=self.request.user), pk=self.kwargs["pk"])
        self.require_in(obj)
        return obj


def detail_page(http_request, sar, *, forms=None, status=200):
    records = selectors.person_records(request=sar)
    text = http_request.GET.get("q", "").strip()[:100]
    found = selectors.person_search(school=sar.school, text=text) if text else None
    groups = [
        (kind, RecordKind(kind).label, records.groups[kind]) for kind in RecordKind.values if kind in records.groups
    ]
    return render(
        http_request,
        "privacy/request_detail.html",
        {
            "sar": sar,
            "groups": groups,
            "records": records,
            "q": text,
            "found": found,
            "erased": [(RecordKind(kind).label, n) for kind, n in sar.erasure_counts.items()],
            "form": (forms or {}).get("form"),
            "failed_action": (forms or {}).get("action"),
            "today": timezone.localdate(),
        },
        status=status,
    )


class RequestDetailView(RequestMixin, View):
    def get(self, request, pk):
        return detail_page(request, self.get_object())


class RequestActionView(RequestMixin, ObjectActionView):
    """POST: choose the person, exempt or include an item, mark answered."""

    def get_form(self, obj, data, files):
        form_class = {"subject": SubjectChooseForm, "exempt": ExemptionForm, "answer": EmptyForm}[self.action]
        return form_class(data)

    def perform(self, obj, form):
        data, by = form.cleaned_data, self.request.user
        if self.action == "subject":
            user = pupil = None
            if data["user"]:
                user = User.objects.filter(pk=data["user"], memberships__school=obj.school).first()
                if user is None:
                    raise Http404
            if data["pupil"]:
                pupil = Pupil.objects.filter(pk=data["pupil"], school=obj.school).select_related("user").first()
                if pupil is None:
                    raise Http404
            return services.sar_subject_set(
                request=obj, by=by, user=user, pupil=pupil, name=data["name"], email=data["email"]
            )
        if self.action == "exempt":
            return services.sar_exempt(
                request=obj,
                by=by,
                kind=data["kind"],
                object_id=data["object_id"],
                reason=data["reason"],
                include=data["include"],
            )
        return services.sar_answer(request=obj, by=by)

    def get_success_message(self, result):
        return {
            "subject": _("The person is chosen: what the desk holds about them is below."),
            "exempt": _("Saved: the pack leaves out the exempt items."),
            "answer": _("Marked as answered."),
        }[self.action]

    def get_success_url(self, obj):
        return reverse("privacy:request_detail", args=[obj.pk])

    def render_failed(self, obj, form):
        return detail_page(self.request, obj, forms={"form": form, "action": self.action}, status=400)


class RequestPackView(RequestMixin, View):
    """GET ?format=pdf or ?format=zip: the pack, without the exempt items."""

    def get(self, request, pk):
        sar = self.get_object()
        records = selectors.person_records(request=sar)
        if request.GET.get("format") == "zip":
            return exports.pack_zip(sar, records)
        return exports.pack_pdf(request, sar, records)


class RequestEraseView(RequestMixin, View):
    """GET: what pseudonymising the person will change; POST: do it."""

    def page(self, request, sar, form, status=200):
        return render(
            request,
            "privacy/request_erase.html",
            {
                "sar": sar,
                "plan": [(RecordKind(kind).label, n) for kind, n in services.erasure_plan(sar).items()],
                "pseudonym": selectors.pseudonym_for(request=sar),
                "form": form,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(request, self.get_object(), EmptyForm())

    def post(self, request, pk):
        sar = self.get_object()
        form = EmptyForm(request.POST)
        if form.is_valid() and not sar.erased_at:
            counts = apply_service(
                request, form, lambda: services.person_pseudonymise(request=sar, by=request.user), ""
            )
            if counts is not None:
                messages.success(
                    request,
                    _("Pseudonymised as %(name)s: %(n)s records changed.")
                    % {"name": sar.pseudonym or selectors.pseudonym_for(request=sar), "n": sum(counts.values())},
                )
                return redirect("privacy:request_detail", pk=sar.pk)
        elif sar.erased_at:
            form.add_error(None, _("This person has already been pseudonymised."))
        return self.page(request, sar, form, status=400)


class RetentionIndexView(PermissionRequiredMixin, View):
    permission = "privacy.retention"

    def get(self, request):
        schools = list(selectors.privacy_schools(user=request.user)[:LIST_LIMIT])
        if len(schools) == 1:
            return redirect("privacy:retention", school_pk=schools[0].pk)
        return render(request, "privacy/retention_index.html", {"schools": schools})


class RetentionView(PermissionRequiredMixin, View):
    """A school's retention schedule: the periods, what the job would do now (preview), the switch, the log."""

    permission = "privacy.retention"

    def page(self, request, school, policy, form, status=200):
        return render(
            request,
            "privacy/retention.html",
            {
                "school": school,
                "policy": policy,
                "form": form,
                "preview": selectors.retention_preview(policy=policy, now=timezone.now()),
                "runs": [
                    (run, [(RetentionKind(kind).label, n) for kind, n in run.counts.items()])
                    for run in selectors.retention_runs(school=school)
                ],
            },
            status=status,
        )

    def school(self, request, school_pk):
        school = get_object_or_404(selectors.privacy_schools(user=request.user), pk=school_pk)
        self.require_in(school)
        return school

    def get(self, request, school_pk):
        school = self.school(request, school_pk)
        policy = selectors.policy_for(school=school)
        return self.page(request, school, policy, RetentionPolicyForm(instance=policy))

    def post(self, request, school_pk):
        school = self.school(request, school_pk)
        policy = selectors.policy_for(school=school)
        form = RetentionPolicyForm(request.POST, instance=selectors.policy_for(school=school))
        if form.is_valid():
            done = apply_service(
                request,
                form,
                services.retention_policy_save,
                "",
                school=school,
                by=request.user,
                values=form.cleaned_data,
            )
            if done is not None:
                messages.success(
                    request,
                    _("The retention schedule is saved.")
                    + " "
                    + (_("The job runs tonight.") if done.is_enabled else _("The job is switched off.")),
                )
                return redirect("privacy:retention", school_pk=school.pk)
        return self.page(request, school, policy, form, status=400)
