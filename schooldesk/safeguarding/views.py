from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.core.exports import export_response
from schooldesk.core.permissions import can
from schooldesk.core.views import PAGE_SIZE, FormPageView, ObjectActionView, PermissionRequiredMixin
from schooldesk.safeguarding import forms, selectors, services
from schooldesk.safeguarding.choices import FilterStatus
from schooldesk.safeguarding.models import Breach, Concern, FilterRequest, FilterReview
from schooldesk.safeguarding.tables import BREACH_LOG


def _or_404(getter, request, pk):
    try:
        return getter(user=request.user, pk=pk)
    except (Breach.DoesNotExist, Concern.DoesNotExist, FilterRequest.DoesNotExist, FilterReview.DoesNotExist) as exc:
        raise Http404 from exc


# --- breaches -------------------------------------------------------------------------------------------------------
class BreachLogView(PermissionRequiredMixin, View):
    """The school's breach log: every breach, notifiable or not, as a page and as CSV or Excel."""

    permission = "safeguarding.breach_record"

    def get(self, request):
        log = selectors.breach_log(user=request.user)
        wanted = request.GET.get("format")
        if wanted in ("csv", "xlsx"):
            return export_response(BREACH_LOG, wanted, "breach-log", log.iterator(chunk_size=500))
        page = max(int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1, 1)
        rows = list(log[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
        return render(
            request,
            "safeguarding/breach_list.html",
            {"breaches": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE, "now": timezone.now()},
        )


class BreachDetailView(FormPageView):
    permission = "safeguarding.breach_record"
    template_name = "safeguarding/breach_detail.html"
    context_object_name = "breach"
    success_message = gettext_lazy("The breach record is saved.")

    def get_object(self):
        breach = _or_404(selectors.breach_get, self.request, self.kwargs["pk"])
        self.require_in(breach)
        return breach

    def is_create(self):
        return False

    def get_form(self, data=None, files=None):
        return forms.BreachForm(data, instance=self.object)

    def perform(self, form):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        return services.breach_record(breach=self.object, by=self.request.user, version=version, **d)

    def get_success_url(self, result):
        return reverse("safeguarding:breach_detail", args=[result.pk])

    def get_context_data(self, **context):
        return super().get_context_data(now=timezone.now(), **context)


# --- safeguarding concerns ------------------------------------------------------------------------------------------
class ConcernListView(PermissionRequiredMixin, View):
    permission = "safeguarding.concern_act"

    def get(self, request):
        concerns = list(selectors.concern_list(user=request.user)[:100])
        return render(request, "safeguarding/concern_list.html", {"concerns": concerns})


def render_concern(request, concern, bound=None, status=200):
    action_form, close_form = forms.ConcernActionForm(), forms.ConcernCloseForm(initial={"outcome": concern.outcome})
    if bound is not None:
        if isinstance(bound, forms.ConcernActionForm):
            action_form = bound
        else:
            close_form = bound
    return render(
        request,
        "safeguarding/concern_detail.html",
        {"concern": concern, "action_form": action_form, "close_form": close_form},
        status=status,
    )


class ConcernDetailView(PermissionRequiredMixin, View):
    permission = "safeguarding.concern_act"

    def get(self, request, pk):
        concern = _or_404(selectors.concern_get, request, pk)
        self.require_in(concern)
        return render_concern(request, concern)


class ConcernActionView(PermissionRequiredMixin, ObjectActionView):
    """POST only: record an action (`add`) or the outcome (`close`)."""

    permission = "safeguarding.concern_act"

    def get_object(self):
        concern = _or_404(selectors.concern_get, self.request, self.kwargs["pk"])
        self.require_in(concern, "safeguarding.concern_act" if self.action == "add" else "safeguarding.concern_close")
        return concern

    def get_form(self, concern, data, files):
        return (forms.ConcernActionForm if self.action == "add" else forms.ConcernCloseForm)(data)

    def perform(self, concern, form):
        if self.action == "add":
            return services.concern_action_add(concern=concern, by=self.request.user, text=form.cleaned_data["text"])
        return services.concern_close(concern=concern, by=self.request.user, outcome=form.cleaned_data["outcome"])

    def get_success_message(self, result):
        return _("Action recorded.") if self.action == "add" else _("Outcome recorded.")

    def get_success_url(self, concern):
        return reverse("safeguarding:concern_detail", args=[concern.pk])

    def render_failed(self, concern, form):
        return render_concern(self.request, concern, bound=form, status=400)


# --- the filtering register -----------------------------------------------------------------------------------------
class FilterRegisterView(View):
    """Every decision with its reason, state and expiry (the DSL, the ICT owner, governors); anyone else sees the
    requests they made."""

    def get(self, request):
        page = request.GET.get("page", "1")
        page = max(int(page) if page.isdigit() else 1, 1)
        rows = list(selectors.filter_register(user=request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
        return render(
            request,
            "safeguarding/filter_register.html",
            {
                "requests": rows[:PAGE_SIZE],
                "page": page,
                "has_next": len(rows) > PAGE_SIZE,
                "reviews": list(selectors.review_list(user=request.user)[:10]),
                "can_decide": can(request.user, "safeguarding.filter_decide"),
                "can_log_breach": can(request.user, "safeguarding.breach_record"),
                "can_read": selectors.reads_the_register(user=request.user),
            },
        )


class FilterRequestCreateView(FormPageView):
    template_name = "safeguarding/filter_request_form.html"
    success_message = gettext_lazy("Asked. The DSL will decide and you will see the decision in the register.")

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "safeguarding.filter_request"):  # a member of no school
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        return forms.FilterRequestForm(data, school_ids=selectors.member_school_ids(user=self.request.user))

    def perform(self, form):
        d = form.cleaned_data
        return services.filter_request_create(
            school=form.owner,
            by=self.request.user,
            change=d["change"],
            site=d["site"],
            reason=d["reason"],
            audience=d["audience"],
            year_group=d["year_group"],
            days=d["days"],
        )

    def get_success_url(self, result):
        return reverse("safeguarding:filter_request_detail", args=[result.pk])


def render_request(request, item, bound=None, status=200):
    decide = None
    if item.status == FilterStatus.REQUESTED and can(request.user, "safeguarding.filter_decide", item):
        decide = bound or forms.DecisionForm(initial={"version": item.version})
    return render(request, "safeguarding/filter_request_detail.html", {"item": item, "decide": decide}, status=status)


class FilterRequestDetailView(View):
    def get(self, request, pk):
        return render_request(request, _or_404(selectors.filter_request_get, request, pk))


class FilterDecideView(ObjectActionView):
    def get_object(self):
        item = _or_404(selectors.filter_request_get, self.request, self.kwargs["pk"])
        if not can(self.request.user, "safeguarding.filter_decide", item):
            raise Http404
        return item

    def get_form(self, item, data, files):
        return forms.DecisionForm(data)

    def perform(self, item, form):
        d = form.cleaned_data
        return services.filter_request_decide(
            request=item,
            by=self.request.user,
            version=d["version"],
            approve=d["decision"] == "approve",
            reason=d["reason"],
        )

    def get_success_message(self, result):
        return _("Approved: a call asks the technician to make the change.") if result.incident_id else _("Refused.")

    def get_success_url(self, item):
        return reverse("safeguarding:filter_request_detail", args=[item.pk])

    def render_failed(self, item, form):
        return render_request(self.request, item, bound=form, status=400)


# --- the yearly review ----------------------------------------------------------------------------------------------
class ReviewCreateView(FormPageView):
    permission = "safeguarding.review_start"
    template_name = "safeguarding/review_form.html"
    success_message = gettext_lazy("The review holds the register as it is today. The DSL and a governor sign it.")

    def get_form(self, data=None, files=None):
        return forms.ReviewForm(
            data,
            school_ids=selectors.review_school_ids(user=self.request.user),
            initial={"review_on": timezone.localdate()},
        )

    def perform(self, form):
        d = form.cleaned_data
        return services.filter_review_create(
            school=form.owner, by=self.request.user, review_on=d["review_on"], notes=d["notes"]
        )

    def get_success_url(self, result):
        return reverse("safeguarding:review_detail", args=[result.pk])


def render_review(request, review, error=None, status=200):
    can_sign = can(request.user, "safeguarding.review_sign", review)
    return render(
        request,
        "safeguarding/review_detail.html",
        {"review": review, "can_sign": can_sign, "error": error},
        status=status,
    )


class ReviewDetailView(View):
    def get(self, request, pk):
        return render_review(request, _or_404(selectors.review_get, request, pk))


class ReviewSignView(ObjectActionView):
    def get_object(self):
        return _or_404(selectors.review_get, self.request, self.kwargs["pk"])

    def get_form(self, review, data, files):
        return forms.SignForm(data)

    def perform(self, review, form):
        try:
            return services.filter_review_sign(review=review, by=self.request.user)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc

    def get_success_message(self, result):
        return _("Signed.")

    def get_success_url(self, review):
        return reverse("safeguarding:review_detail", args=[review.pk])

    def render_failed(self, review, form):
        return render_review(self.request, review, error=" ".join(form.non_field_errors()), status=400)
