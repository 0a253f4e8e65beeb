"""The few base views every app builds on: scoped querysets, role checks, filtered lists with htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from schooldesk.core import submissions
from schooldesk.core.access import access_for
from schooldesk.core.logs import note_school
from schooldesk.core.permissions import can, school_id_of
from schooldesk.core.throttling import create_allowed

PAGE_SIZE = 25


class ScopedMixin:
    """Querysets come from `visible_to`: another school's row is a 404, never data."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class PermissionRequiredMixin:
    """Only people who may do `permission` (a rule's name, schooldesk/permissions/rules.py) in some school may open
    the page; `require_in(obj)` then asks the same rule of the object's own school (a 404 if not)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.permission and not can(request.user, self.permission):
            raise PermissionDenied(_("Your role does not include this page."))
        return super().dispatch(request, *args, **kwargs)

    def require_in(self, obj, permission: str | None = None) -> None:
        """For object pages: the rule must allow it in the object's own school (a 404 if not: another school's
        record is not there)."""
        school_id = school_id_of(obj)
        if school_id is not None:
            note_school(school_id)  # the school of the log lines
        if not can(self.request.user, permission or self.permission, obj):
            raise Http404


class CappedPaginator(Paginator):
    """Counts up to a cap and no further: an LA's whole register (300,000 assets) or a big school's years of calls
    would otherwise be counted on every page, a cost that grows with every row. Beyond the cap the page says "more
    than 10,000" and asks for a filter (a list view opts in with `paginator_class = CappedPaginator`).

    A word search counts up to SEARCH_CAP: its matches are found by reading the rows themselves, and a word
    that 31,000 assets of an LA share took 70 ms to count to 10,000 (7 ms to 1,000). A search that matches
    more than 1,000 assets (or calls) has stopped being a search; the page says so and asks for a filter."""

    CAP = 10_000
    SEARCH_CAP = 1_000

    def __init__(self, *args, searching: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = self.SEARCH_CAP if searching else self.CAP

    @cached_property
    def count(self):
        counted = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        self.is_capped = counted > self.cap
        return min(counted, self.cap)


class FilteredListView(ScopedMixin, PermissionRequiredMixin, ListView):
    """A list is a selector, a FilterSet (the same one the API uses), a table and a template: a subclass names them
    as attributes (`selector`, `filterset_class`, `table`, `template_name`) and adds to the context; it does not
    override `get_queryset`. Paginated in SQL; an htmx request gets only the `#results` partial, the same URL a whole
    page. The template draws `table` (a `core.tables.Table`, the app's `tables.py`) with `{% list_table table rows %}`
    (core/templatetags/desk_tables.py): a list's columns are declared once, never written out in its template.

    `selector(user=...)` returns the rows the person may see (the app's `selectors.py`); without one, the model's
    `visible_to`."""

    selector = None
    filterset_class = None
    table = None
    paginate_by = PAGE_SIZE

    def get_rows(self):
        selector = type(self).selector  # the plain function, not bound to the view
        return selector(user=self.request.user) if selector is not None else super().get_queryset()

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=self.get_rows(), request=self.request)
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        if issubclass(self.paginator_class, CappedPaginator):  # a word search counts only up to its own cap
            form = self.filterset.form
            kwargs["searching"] = bool(self.filterset.is_valid() and str(form.cleaned_data.get("q") or "").strip())
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_template_names(self):
        names = super().get_template_names()
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [f"{names[0]}#results"]
        return names

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["table"] = self.table
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["is_filtered"] = is_filtered(self.request.GET)
        query.pop("q", None)  # a search alone leaves "Filter and sort" closed
        context["filters_open"] = is_filtered(query) or bool(query.get("ordering"))
        return context


def is_filtered(query) -> bool:
    """Whether a list's query string narrows it (sorting or turning the page does not): an empty list then
    says "nothing matches these filters" rather than "nothing yet"."""
    return any(
        value.strip() for key, values in query.lists() if key not in ("page", "ordering", "format") for value in values
    )


class ScopedDetailView(ScopedMixin, PermissionRequiredMixin, DetailView):
    pass


def apply_service(request, form, service, success_message: str, **kwargs):
    """Run a service with a valid form; its ValidationErrors become form errors (input kept)."""
    try:
        result = service(**kwargs)
    except ValidationError as exc:
        current = getattr(exc, "current_version", None)
        if current is not None and "version" in form.fields:  # told: saving again now replaces their changes
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = str(current)
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None
    if success_message:
        messages.success(request, success_message)
    return result


def already_sent(request):
    """The answer to a form whose one-time token was used before (core/submissions.py), or None."""
    earlier = submissions.used(submissions.posted_token(request))
    return submissions.answer_repeat(request, earlier) if earlier is not None else None


def run_once(request, form, perform, success_url):
    """The service (through `apply_service`, its errors on the form) done once per rendered form: see `do_once`."""
    return do_once(request, lambda: apply_service(request, form, perform, ""), success_url)


def do_once(request, work, success_url):
    """`work()` (None on failure) and, for a form carrying a one-time token, the token's record, in one transaction:
    a failure un-records the token (the person corrects the form and sends it again), and two submissions of the
    same form at once cannot both run (core/submissions.py). Returns (result, url, repeat): result None on failure;
    `repeat` the answer to give when another submission of the same form got there first."""
    token = submissions.posted_token(request)
    with transaction.atomic():
        if token and not submissions.claim(request, token):
            return None, None, submissions.answer_repeat(request, submissions.used(token))
        result = work()
        if result is None:
            transaction.set_rollback(True)
            return None, None, None
        url = success_url(result)
        if token:
            submissions.remember_result(token, url)
    return result, url, None


class FormPageView(PermissionRequiredMixin, View):
    """One way to create or edit a record on a page of its own.

    GET shows the form; POST validates it and calls the service (`perform`); success redirects with
    `success_message`, and a failure shows the same page again (400) with what was typed and every error,
    the service's own included. A subclass says which object (`get_object`), which form (`get_form`), what to
    do (`perform`) and where to go next (`get_success_url`)."""

    template_name = ""
    context_object_name = "object"
    success_message = ""
    object = None

    def get_object(self):
        return None

    def get_form(self, data=None, files=None):
        raise NotImplementedError

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self, result) -> str:
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_context_data(self, **context) -> dict:
        return context

    def render_form(self, form, status=200):
        context = self.get_context_data(form=form, **{self.context_object_name: self.object})
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        note_school(getattr(self.object, "school_id", None))
        return self.render_form(self.get_form())

    def is_create(self) -> bool:
        """Whether the page makes a new record (no object, or one not saved yet): creating is rate-limited per
        person (schooldesk/core/throttling.py), editing is not."""
        return getattr(self.object, "pk", None) is None

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        note_school(getattr(self.object, "school_id", None))
        if (repeat := already_sent(request)) is not None:  # this rendered form was sent before
            return repeat
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            if self.is_create() and not create_allowed(request, form):
                return self.render_form(form, status=429)
            result, url, repeat = run_once(request, form, lambda: self.perform(form), self.get_success_url)
            if repeat is not None:
                return repeat
            if result is not None:
                if message := self.get_success_message(result):
                    messages.success(request, message)
                return redirect(url)
        return self.render_form(form, status=400)


class ObjectActionView(View):
    """One way to act on a record from its own page (triage a call, move an asset, authorise a change).

    POST only. The form is bound to what was posted; the service runs (`perform`); success redirects to the
    record with the action's message; a failure shows the record's page again (400) with the kept input and
    every error beside the action's own form. A subclass says how the record is found (`get_object`), which form
    and service belong to `self.action` (`get_form`, `perform`, `get_success_message`), where to go next
    (`get_success_url`) and how the record's page is drawn with a bound form (`render_failed`)."""

    action = ""

    def get_object(self):
        raise NotImplementedError

    def get_form(self, obj, data, files):
        raise NotImplementedError

    def perform(self, obj, form):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return ""

    def get_success_url(self, obj) -> str:
        raise NotImplementedError

    def render_failed(self, obj, form):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        note_school(getattr(obj, "school_id", None))
        if (repeat := already_sent(request)) is not None:  # this rendered form was sent before
            return repeat
        form = self.get_form(obj, request.POST, request.FILES)
        if form.is_valid():
            result, url, repeat = run_once(
                request, form, lambda: self.perform(obj, form), lambda _result: self.get_success_url(obj)
            )
            if repeat is not None:
                return repeat
            if result is not None:
                if message := self.get_success_message(result):
                    messages.success(request, message)
                return redirect(url)
            obj = self.get_object()  # the latest version beside the kept input
        return self.render_failed(obj, form)


def redirect_back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- help: a short guide per role -------------------------------------------------------------------------------------

#: slug -> (title, the roles it is for); the template is core/help/<slug>.html. Everyone can report a problem, so the
#: reporter's guide is linked from every other one.
GUIDES = {
    "reporter": (_("Reporting a problem"), frozenset({"reporter"})),
    "spoc": (_("Running the service desk (SPOC)"), frozenset({"spoc"})),
    "technician": (_("Technicians (first-level support)"), frozenset({"technician"})),
    "provider": (_("Suppliers' staff (second-level support)"), frozenset({"provider"})),
    "owner": (_("The ICT owner"), frozenset({"owner"})),
    "oversight": (_("Heads, governors, the DPO and the DSL"), frozenset({"viewer", "dpo", "dsl"})),
}


def guides_for(user) -> list[str]:
    """The guides for the roles this person holds in any school, in GUIDES order."""
    held = set().union(*access_for(user).roles_by_school.values())
    return [slug for slug, (_title, roles) in GUIDES.items() if roles & held]


class HelpView(TemplateView):
    """/help/: the guide for the person's own role, or, holding several, their guides first and then the rest."""

    template_name = "core/help/index.html"

    def get(self, request, *args, **kwargs):
        mine = guides_for(request.user)
        if len(mine) == 1:
            return redirect("help_" + mine[0])
        return self.render_to_response(
            self.get_context_data(
                mine=[(slug, GUIDES[slug][0]) for slug in mine],
                others=[(slug, title) for slug, (title, _roles) in GUIDES.items() if slug not in mine],
            )
        )


class GuideView(TemplateView):
    """One role's guide: what the role does in FITS terms and its everyday tasks, with the buttons' own names."""

    guide = ""

    def get_template_names(self):
        return [f"core/help/{self.guide}.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            guide_slug=self.guide,
            title=GUIDES[self.guide][0],
            guides=GUIDES.items(),
            mine=guides_for(self.request.user),
            **kwargs,
        )


@login_not_required
@never_cache
def health(request):
    """For monitoring and load balancers: 200 when the database, the queue storage and a worker answer, 503 naming
    what fails otherwise. No sign-in and no personal data."""
    from schooldesk.core.tasks import health_checks

    checks = health_checks()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse(
        {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}, status=503 if failing else 200
    )
