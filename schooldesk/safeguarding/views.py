from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from schooldesk.accounts.access import access_for
from schooldesk.accounts.choices import BREACH_ROLES, SAFEGUARDING_ROLES, Role
from schooldesk.core.exports import export_response
from schooldesk.core.views import PAGE_SIZE, FormPageView, ObjectActionView, RoleRequiredMixin
from schooldesk.safeguarding import forms, selectors, services
from schooldesk.safeguarding.choices import FilterStatus
from schooldesk.safeguarding.models import Breach, Concern, FilterRequest, FilterReview
from schooldesk.safeguarding.tables import BREACH_LOG


def _or_404(getter, request, pk):
    try:
        return getter(request.user, pk)
    except (Breach.DoesNotExist, Concern.DoesNotExist, FilterRequest.DoesNotExist, FilterReview.DoesNotExist) as exc:
        raise Http404 from exc


# --- breaches -------------------------------------------------------------------------------------------------------
class BreachLogView(RoleRequiredMixin, View):
    """The school's breach log: every breach, notifiable or not, as a page and as CSV or Excel."""

    required_roles = BREACH_ROLES

    def get(self, request):
        log = selectors.breach_log(request.user)
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
    required_roles = BREACH_ROLES
    template_name = "safeguarding/breach_detail.html"
    context_object_name = "breach"
    success_message = gettext_lazy("The breach record is saved.")

    def get_object(self):
        return _or_404(selectors.breach_get, self.request, self.kwargs["pk"])

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
class ConcernListView(RoleRequiredMixin, View):
    required_roles = SAFEGUARDING_ROLES

    def get(self, request):
        return render(
            request, "safeguarding/concern_list.html", {"concerns": list(selectors.concern_list(request.user)[:100])}
        )


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


class ConcernDetailView(RoleRequiredMixin, View):
    required_roles = SAFEGUARDING_ROLES

    def get(self, request, pk):
        return render_concern(request, _or_404(selectors.concern_get, request, pk))


class ConcernActionView(RoleRequiredMixin, ObjectActionView):
    """POST only: record an action (`add`) or the outcome (`close`)."""

    required_roles = SAFEGUARDING_ROLES

    def get_object(self):
        return _or_404(selectors.concern_get, self.request, self.kwargs["pk"])

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
        access = access_for(request.user)
        page = request.GET.get("page", "1")
        page = max(int(page) if page.isdigit() else 1, 1)
        rows = list(selectors.filter_register(request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
        return render(
            request,
            "safeguarding/filter_register.html",
            {
                "requests": rows[:PAGE_SIZE],
                "page": page,
                "has_next": len(rows) > PAGE_SIZE,
                "reviews": list(selectors.review_list(request.user)[:10]),
                "can_decide": access.any_role(SAFEGUARDING_ROLES),
                "can_log_breach": access.any_role(BREACH_ROLES),
                "can_read": access.any_role(SAFEGUARDING_ROLES | {Role.VIEWER}),
            },
        )


class FilterRequestCreateView(FormPageView):
    template_name = "safeguarding/filter_request_form.html"
    success_message = gettext_lazy("Asked. The DSL will decide and you will see the decision in the register.")

    def dispatch(self, request, *args, **kwargs):
        if not access_for(request.user).school_ids():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        return forms.FilterRequestForm(data, school_ids=access_for(self.request.user).school_ids())

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
    if item.status == FilterStatus.REQUESTED and access_for(request.user).has_role(item.school_id, SAFEGUARDING_ROLES):
        decide = bound or forms.DecisionForm(initial={"version": item.version})
    return render(request, "safeguarding/filter_request_detail.html", {"item": item, "decide": decide}, status=status)


def _request_get(user, pk):
    return selectors.filter_register(user).get(pk=pk)


class FilterRequestDetailView(View):
    def get(self, request, pk):
        return render_request(request, _or_404(_request_get, request, pk))


class FilterDecideView(ObjectActionView):
    def get_object(self):
        item = _or_404(_request_get, self.request, self.kwargs["pk"])
        if not access_for(self.request.user).has_role(item.school_id, SAFEGUARDING_ROLES):
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
    required_roles = SAFEGUARDING_ROLES
    template_name = "safeguarding/review_form.html"
    success_message = gettext_lazy("The review holds the register as it is today. The DSL and a governor sign it.")

    def get_form(self, data=None, files=None):
        return forms.ReviewForm(
            data,
            school_ids=access_for(self.request.user).school_ids(SAFEGUARDING_ROLES),
            initial={"review_on": timezone.localdate()},
        )

    def perform(self, form):
        d = form.cleaned_data
        return services.filter_review_create(
            school=form.owner, by=self.request.user, review_on=d["review_on"], notes=d["notes"]
        )

    def get_success_url(self, result):
        return reverse("safeguarding:review_detail", args=[result.pk])


def _review_get(user, pk):
    return selectors.review_list(user).get(pk=pk)


def render_review(request, review, error=None, status=200):
    access = access_for(request.user)
    can_sign = (
        access.has_role(review.school_id, {Role.DSL})
        and review.dsl_signed_at is None
        or access.has_role(review.school_id, {Role.VIEWER})
        and review.governor_signed_at is None
    )
    return render(
        request,
        "safeguarding/review_detail.html",
        {"review": review, "can_sign": can_sign, "error": error},
        status=status,
    )


class ReviewDetailView(View):
    def get(self, request, pk):
        return render_review(request, _or_404(_review_get, request, pk))


class ReviewSignView(ObjectActionView):
    def get_object(self):
        return _or_404(_review_get, self.request, self.kwargs["pk"])

    def get_form(self, review, data, files):
        return forms.SignForm(data)

    def perform(self, review, form):
        from django.core.exceptions import PermissionDenied, ValidationError

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
