from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.logs import note_school
from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, PermissionRequiredMixin, apply_service
from schooldesk.standards import exports, forms, services
from schooldesk.standards.choices import REVIEW_ROLES, STANDARDS_VIEW_ROLES, CheckStatus, PartState, ReviewStatus
from schooldesk.standards.models import AnnualReview, CheckEvidence, CheckRule
from schooldesk.standards.parts import STANDARDS, STATEMENT_ONLY, standards_states
from schooldesk.standards.review import review_report
from schooldesk.standards.schedule import next_due, school_days_for
from schooldesk.standards.selectors import (
    check_items,
    check_rules,
    check_school_count,
    checks_to_do,
    review_month_for,
    review_year,
    school_statements,
    standards_schools,
    statement_file,
)

LIST_LIMIT = 200
MATRIX_LIMIT = 500  # schools in the matrix, as on the budget page
DONE_SHOWN = 30


def _download(file, name: str) -> FileResponse:
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- scheduled checks -----------------------------------------------------------------------------
class CheckListView(PermissionRequiredMixin, View):
    """The checklist: what is missed, what is due, what was done lately, and (for the desk) the schedule."""

    permission = "standards.check"

    def get(self, request):
        today = timezone.localdate()
        items = checks_to_do(user=request.user)
        open_items = list(items.filter(status=CheckStatus.DUE).order_by("due_on", "pk")[:LIST_LIMIT])
        done = list(
            items.filter(status=CheckStatus.DONE).prefetch_related("evidence").order_by("-done_at", "-pk")[:DONE_SHOWN]
        )
        rules = list(check_rules(user=request.user).order_by("school__name", "name")[:LIST_LIMIT])
        calendars = school_days_for({rule.school for rule in rules})
        schedule = [
            (rule, next_due(rule, calendars[rule.school_id], today) if rule.is_active else None) for rule in rules
        ]
        return render(
            request,
            "standards/check_list.html",
            {
                "missed": [i for i in open_items if i.due_on < today],
                "due": [i for i in open_items if i.due_on >= today],
                "done": done,
                "schedule": schedule,
                "today": today,
                "can_edit": can(request.user, "standards.schedule"),
                "many_schools": check_school_count(user=request.user) > 1,
            },
        )


def _item_or_404(request, item_pk):
    item = get_object_or_404(check_items(user=request.user).prefetch_related("evidence"), pk=item_pk)
    note_school(item.school_id)
    return item


def render_item(request, item, form=None, status=200):
    can_do = can(request.user, "standards.check", item)
    if item.status != CheckStatus.DONE and form is None:
        form = forms.CheckCompleteForm(steps=item.rule.step_list)
    return render(
        request,
        "standards/check_item.html",
        {
            "item": item,
            "form": form if item.status != CheckStatus.DONE and can_do else None,
            "missed": item.status != CheckStatus.DONE and item.due_on < timezone.localdate(),
        },
        status=status,
    )


class CheckItemView(PermissionRequiredMixin, View):
    """One check: its steps and, once done, its evidence. Whoever works the school's calls records it."""

    permission = "standards.read_check"

    def get(self, request, item_pk):
        return render_item(request, _item_or_404(request, item_pk))

    def post(self, request, item_pk):
        item = _item_or_404(request, item_pk)
        if not can(request.user, "standards.check", item):
            raise PermissionDenied(_("Only the school's technicians and desk record checks."))
        form = forms.CheckCompleteForm(request.POST, request.FILES, steps=item.rule.step_list)
        if form.is_valid():
            upload = form.cleaned_data.get("evidence")
            done = apply_service(
                request,
                form,
                services.check_complete,
                _("The check is recorded as done."),
                item=item,
                by=request.user,
                note=form.cleaned_data["note"],
                answers=form.answers(),
                files=[upload] if upload else [],
            )
            if done is not None:
                return redirect("standards:item_detail", item_pk=item.pk)
        item.refresh_from_db()
        return render_item(request, item, form, status=400)


class EvidenceDownloadView(PermissionRequiredMixin, View):
    permission = "standards.read_check"

    def get(self, request, item_pk, evidence_pk):
        item = _item_or_404(request, item_pk)
        evidence = get_object_or_404(CheckEvidence.objects.filter(item=item), pk=evidence_pk)
        return _download(evidence.file, evidence.original_name)


class CheckRuleEditView(FormPageView):
    """Add a scheduled check (no rule) or change one."""

    permission = "standards.schedule"
    template_name = "standards/check_rule_form.html"
    context_object_name = "rule"
    success_message = gettext_lazy("The scheduled check is saved.")

    def get_object(self):
        if "rule_pk" not in self.kwargs:
            return None
        return get_object_or_404(check_rules(user=self.request.user), pk=self.kwargs["rule_pk"])

    def get_form(self, data=None, files=None):
        return forms.CheckRuleForm(data, instance=self.object or CheckRule(), user=self.request.user)

    def perform(self, form):
        rule = form.save(commit=False)
        rule.school = form.owner
        return services.check_rule_save(rule=rule, by=self.request.user)

    def get_success_url(self, result):
        return reverse("standards:check_list")


# --- standards -------------------------------------------------------------------------------------
class StandardsListView(PermissionRequiredMixin, View):
    """Which schools meet which parts: the LA's or trust's matrix (a one-school person sees their one row),
    as a page, a PDF for governors and a spreadsheet."""

    permission = "standards.view"

    def get(self, request):
        today = timezone.localdate()
        schools = list(standards_schools(user=request.user)[:MATRIX_LIMIT])
        states = standards_states(schools, today)
        rows = [{"school": s, "parts": [p for standard in states[s.pk] for p in standard["parts"]]} for s in schools]
        for row in rows:
            row["met"] = sum(p.state == PartState.MET for p in row["parts"])
        columns = [(label, [(key, part_label) for key, part_label, _k in parts]) for _key, label, parts in STANDARDS]
        context = {"rows": rows, "columns": columns, "today": today}
        wanted = request.GET.get("format")
        if wanted == "pdf":
            return exports.matrix_pdf(request, context)
        if wanted == "xlsx":
            return exports.matrix_xlsx(context)
        return render(request, "standards/standards_list.html", context)


def _school_or_404(request, school_pk, roles=STANDARDS_VIEW_ROLES):
    school = get_object_or_404(standards_schools(user=request.user, roles=roles), pk=school_pk)
    note_school(school.pk)
    return school


def render_school(request, school, bound=None, status=200):
    today = timezone.localdate()
    standards = standards_states([school], today)[school.pk]
    can_state = can(request.user, "standards.state", school)
    history = school_statements(school=school)
    for standard in standards:
        for part in standard["parts"]:
            if can_state and (part.key in STATEMENT_ONLY or part.state == PartState.UNKNOWN):
                part.form = (
                    bound
                    if bound is not None and bound.data.get("part") == part.key
                    else forms.StatementForm(initial={"part": part.key, "made_on": today}, auto_id=f"id_{part.key}_%s")
                )
            part.history = [s for s in history if s.part == part.key]
    return render(
        request,
        "standards/school_standards.html",
        {"school": school, "standards": standards, "today": today, "can_state": can_state},
        status=status,
    )


class SchoolStandardsView(PermissionRequiredMixin, View):
    permission = "standards.view"

    def get(self, request, school_pk):
        return render_school(request, _school_or_404(request, school_pk))


class StatementCreateView(PermissionRequiredMixin, View):
    permission = "standards.state"

    def post(self, request, school_pk):
        school = _school_or_404(request, school_pk)
        self.require_in(school)
        form = forms.StatementForm(request.POST, request.FILES, auto_id=f"id_{request.POST.get('part', '')}_%s")
        if form.is_valid():
            d = form.cleaned_data
            if (
                apply_service(
                    request,
                    form,
                    services.statement_make,
                    _("The statement is recorded."),
                    school=school,
                    part=d["part"],
                    state=d["state"],
                    text=d["text"],
                    made_by_name=d["made_by_name"],
                    made_on=d["made_on"],
                    by=request.user,
                    upload=d.get("file"),
                )
                is not None
            ):
                return redirect(f"{reverse('standards:school', args=[school.pk])}#part-{d['part']}")
        return render_school(request, school, bound=form, status=400)


class StatementFileView(PermissionRequiredMixin, View):
    permission = "standards.view"

    def get(self, request, statement_pk):
        statement = statement_file(user=request.user, pk=statement_pk)
        if statement is None:
            raise Http404
        note_school(statement.school_id)
        return _download(statement.file, statement.original_name)


# --- the annual review ---------------------------------------------------------------------------
def _review_for(request, school):
    month = review_month_for(school)
    current = review_year(month, timezone.localdate())
    wanted = request.GET.get("year") or request.POST.get("year") or ""
    year = int(wanted) if wanted.isdecimal() and current - 10 <= int(wanted) <= current else current
    review = AnnualReview.objects.filter(school=school, year=year).first()
    return review or AnnualReview(school=school, year=year, review_month=month), current


def render_review(request, school, review, current, form=None, status=200):
    can_write = can(request.user, "standards.review_write", school)
    versions = list(review.versions.select_related("saved_by")) if review.pk else []
    latest = versions[0] if versions else None
    signed = review.status == ReviewStatus.SIGNED
    if can_write and not signed and form is None:
        form = forms.ReviewForm(
            initial={
                "version": review.version,
                "findings": latest.findings if latest else "",
                "actions": latest.actions if latest else "",
            }
        )
    context = {
        "school": school,
        "review": review,
        "versions": versions,
        "latest": latest,
        "signed": signed,
        "form": form if can_write and not signed else None,
        "can_write": can_write,
        "report": review_report(request.user, school, review, timezone.localdate()),
        "month_form": forms.ReviewMonthForm(initial={"review_month": review.review_month}),
        "years": [y for y in range(current, current - 4, -1)],
        "is_current": review.year == current,
    }
    if request.GET.get("format") == "pdf":
        return exports.review_pdf(request, context)
    return render(request, "standards/review.html", context, status=status)


class ReviewView(PermissionRequiredMixin, View):
    """The annual IT support review: the year's figures, and the ICT owner's findings and actions (versioned,
    signed off, then read-only until reopened). `?format=pdf` for the governors."""

    permission = "standards.view"

    def get(self, request, school_pk):
        school = _school_or_404(request, school_pk)
        return render_review(request, school, *_review_for(request, school))

    def post(self, request, school_pk):
        school = _school_or_404(request, school_pk)
        if not can(request.user, "standards.review_write", school):
            raise PermissionDenied(_("Only the ICT owner writes the annual review."))
        review, current = _review_for(request, school)
        form = forms.ReviewForm(request.POST)
        if form.is_valid():
            review = (
                review
                if review.pk
                else services.review_start(school=school, year=review.year, month=review.review_month)
            )
            d = form.cleaned_data
            if (
                apply_service(
                    request,
                    form,
                    services.review_save,
                    _("The review is saved as a new version."),
                    review=review,
                    by=request.user,
                    version=d["version"],
                    findings=d["findings"],
                    actions=d["actions"],
                )
                is not None
            ):
                return redirect(f"{reverse('standards:review', args=[school.pk])}?year={review.year}")
        return render_review(request, school, review, current, form=form, status=400)


class ReviewActionView(PermissionRequiredMixin, View):
    permission = "standards.review_write"
    action = ""

    def post(self, request, school_pk):
        school = _school_or_404(request, school_pk, REVIEW_ROLES)
        review, current = _review_for(request, school)
        if self.action == "month":
            form = forms.ReviewMonthForm(request.POST)
            if form.is_valid():
                services.review_month_set(school=school, month=form.cleaned_data["review_month"], by=request.user)
                messages.success(request, _("The review month is saved."))
            return redirect("standards:review", school_pk=school.pk)
        form = forms.ReviewActionForm(request.POST)
        if form.is_valid() and review.pk:
            service = services.review_sign if self.action == "sign" else services.review_reopen
            message = _("The review is signed off.") if self.action == "sign" else _("The review is open again.")
            if (
                apply_service(
                    request,
                    form,
                    service,
                    message,
                    review=review,
                    by=request.user,
                    version=form.cleaned_data["version"],
                )
                is not None
            ):
                return redirect(f"{reverse('standards:review', args=[school.pk])}?year={review.year}")
        errors = form.non_field_errors() or [_("Save the review first.")]
        for error in errors:
            messages.error(request, error)
        return render_review(request, school, review, current, status=400)
