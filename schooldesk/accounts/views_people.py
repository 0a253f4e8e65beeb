"""The People pages (docs/decisions/0033): a school's desk (SPOC, ICT owner) and an LA's or trust's officers list
their schools' people, invite, give and take away roles, mark leavers, import a staff list and export it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from schooldesk.accounts import services
from schooldesk.accounts.forms import (
    InviteForm,
    PeopleFilterForm,
    PeopleImportConfirmForm,
    PeopleImportForm,
    PersonActionForm,
    RoleGiveForm,
)
from schooldesk.accounts.mfa import mfa_label_people
from schooldesk.accounts.people_import import PREVIEW_ROWS, people_import_check, read_people
from schooldesk.accounts.selectors import (
    memberships_visible,
    people_list,
    people_school_ids,
    person_elsewhere,
    person_get,
    rank_in,
)
from schooldesk.accounts.tables import PEOPLE_EXPORT, PersonPlace
from schooldesk.core.exports import export_response
from schooldesk.core.roles import ROLE_RANK
from schooldesk.core.spreadsheets import table_dumps, table_loads
from schooldesk.core.views import (
    PAGE_SIZE,
    FormPageView,
    ObjectActionView,
    PermissionRequiredMixin,
    apply_service,
    do_once,
)
from schooldesk.schools.models import School

#: the session key under which an uploaded staff list's rows wait to be confirmed (never the file itself)
IMPORT_KEY = "people_import"


def _filtered(request):
    school_ids = people_school_ids(user=request.user)
    form = PeopleFilterForm(request.GET or None, school_ids=school_ids)
    data = form.cleaned_data if form.is_valid() else {}
    people = people_list(
        user=request.user,
        q=data.get("q", ""),
        role=data.get("role", ""),
        school=data.get("school"),
        state=data.get("state", ""),
    )
    return form, people


class PeopleListView(PermissionRequiredMixin, ListView):
    permission = "accounts.people_manage"
    template_name = "accounts/people_list.html"
    context_object_name = "people"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter_form, people = _filtered(self.request)
        return people

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(
            filter_form=self.filter_form,
            query_without_page=query.urlencode(),
            is_filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            **kwargs,
        )
        mfa_label_people(context["people"])  # the page's people only, one query for them all
        return context


class PeopleExportView(PermissionRequiredMixin, View):
    """The list as filtered, one row a person and school, in the import's own columns (it imports back)."""

    permission = "accounts.people_manage"

    def get(self, request):
        _form, people = _filtered(request)
        return export_response(PEOPLE_EXPORT, "csv", f"people-{timezone.localdate():%Y-%m-%d}", _people_rows(people))


def _people_rows(people):
    """A row a person and place (school or organisation), with their roles there."""
    for person in people.iterator(chunk_size=500):
        by_place: dict[str, list[str]] = {}
        for membership in person.visible_roles:
            school = membership.school
            place = (school.urn or school.name) if membership.school_id else str(membership.organisation)
            by_place.setdefault(place, []).append(membership.role)
        for place, roles in by_place.items():
            yield PersonPlace(person, place, roles)


def _person_context(request, person, **extra):
    mfa_label_people([person])
    roles = list(person.visible_roles)
    theirs = {}  # how high the person stands in each school shown: a role is taken away only from below
    for membership in roles:
        if membership.school_id and membership.school_id not in theirs:
            theirs[membership.school_id] = services.person_rank_in(person, membership.school)
        mine = rank_in(user=request.user, school_id=membership.school_id) if membership.school_id else 0
        membership.removable = bool(membership.school_id) and mine >= max(
            ROLE_RANK.get(membership.role, 99), theirs[membership.school_id]
        )
    return {
        "person": person,
        "roles": roles,
        "elsewhere": person_elsewhere(user=request.user, person=person),
        "give_form": extra.pop("give_form", None) or RoleGiveForm(user=request.user),
        "action_form": extra.pop("action_form", None),
        "failed": extra.pop("failed", ""),
        "is_self": person.pk == request.user.pk,
        "invited": not person.has_usable_password(),
        **extra,
    }


class PersonDetailView(PermissionRequiredMixin, View):
    permission = "accounts.people_manage"

    def get(self, request, person_pk):
        person = person_get(user=request.user, pk=person_pk)
        return render(request, "accounts/person_detail.html", _person_context(request, person))


def _refused_as_error(service, **kwargs):
    """A rule the person meets from a button they were shown (a person of two schools, their last owner role) is
    said beside the button, not as an error page; a forged request is refused all the same."""
    try:
        return service(**kwargs)
    except PermissionDenied as exc:
        raise ValidationError(str(exc) or _("You cannot do this.")) from exc


class _PersonActionView(PermissionRequiredMixin, ObjectActionView):
    permission = "accounts.people_manage"

    def get_object(self):
        return person_get(user=self.request.user, pk=self.kwargs["person_pk"])

    def get_form(self, obj, data, files):
        return PersonActionForm(data)

    def get_success_url(self, obj) -> str:
        return reverse("person_detail", kwargs={"person_pk": obj.pk})

    def render_failed(self, obj, form):
        key = "give_form" if isinstance(form, RoleGiveForm) else "action_form"
        context = _person_context(self.request, obj, **{key: form}, failed=self.action)
        return render(self.request, "accounts/person_detail.html", context, status=400)


class PersonRoleGiveView(_PersonActionView):
    action = "give"

    def get_form(self, obj, data, files):
        return RoleGiveForm(data, user=self.request.user)

    def perform(self, obj, form):
        data = form.cleaned_data
        return _refused_as_error(
            services.role_give,
            person=obj,
            school=data["school"],
            role=data["role"],
            supplier=data.get("supplier"),
            by=self.request.user,
        )

    def get_success_message(self, result) -> str:
        membership, made = result
        words = {"role": membership.get_role_display(), "school": membership.school.name}
        return (_("Role %(role)s given in %(school)s.") if made else _("Already held: %(role)s in %(school)s.")) % words


class PersonRoleRemoveView(_PersonActionView):
    action = "remove"

    def perform(self, obj, form):
        membership = get_object_or_404(
            memberships_visible(user=self.request.user).filter(user=obj), pk=self.kwargs["membership_pk"]
        )
        return _refused_as_error(services.role_remove, membership=membership, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("Role %(role)s taken away in %(school)s.") % {
            "role": result.get_role_display(),
            "school": result.school.name,
        }


class PersonDeactivateView(_PersonActionView):
    action = "deactivate"

    def perform(self, obj, form):
        return _refused_as_error(services.person_deactivate, person=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("%(person)s is marked as having left: they can no longer sign in. Their calls stay.") % {
            "person": result
        }


class PersonReactivateView(_PersonActionView):
    action = "reactivate"

    def perform(self, obj, form):
        return _refused_as_error(services.person_reactivate, person=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("%(person)s can sign in again.") % {"person": result}


class PersonInviteResendView(_PersonActionView):
    action = "resend"

    def perform(self, obj, form):
        return _refused_as_error(services.person_invitation_resend, person=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("The invitation is on its way to %(email)s again.") % {"email": result.email}


class PersonInviteView(FormPageView):
    permission = "accounts.people_manage"
    template_name = "accounts/person_invite.html"

    def get_form(self, data=None, files=None):
        return InviteForm(data, user=self.request.user)

    def perform(self, form):
        data = form.cleaned_data
        return services.person_invite(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            school=data["school"],
            role=data["role"],
            supplier=data.get("supplier"),
            by=self.request.user,
        )

    def get_success_message(self, result) -> str:
        person, created = result
        if created:
            return _("%(person)s is invited: an email with a link to choose a password is on its way to %(email)s.") % {
                "person": person,
                "email": person.email,
            }
        return _("%(person)s already had a sign-in with this address: the role was added.") % {"person": person}

    def get_success_url(self, result) -> str:
        person, _created = result
        return reverse("person_detail", kwargs={"person_pk": person.pk})


# --- import ------------------------------------------------------------------------------------------------------
class PeopleImportView(PermissionRequiredMixin, View):
    """Upload a staff list: it is read and checked at once; the rows (not the file) wait in the session for the
    check page, where every bad row is shown or the whole list confirmed."""

    permission = "accounts.people_manage"

    def get(self, request):
        return render(request, "accounts/people_import.html", {"form": PeopleImportForm(user=request.user)})

    def post(self, request):
        form = PeopleImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            table = apply_service(request, form, read_people, "", upload=form.cleaned_data["file"])
            if table is not None:
                school = form.cleaned_data.get("school") or form.only_school
                request.session[IMPORT_KEY] = {
                    "rows": table_dumps(table).decode(),
                    "school": school.pk if school else None,
                    "name": form.cleaned_data["file"].name[:200],
                }
                return redirect("people_import_check")
        return render(request, "accounts/people_import.html", {"form": form}, status=400)


class PeopleImportCheckView(PermissionRequiredMixin, View):
    permission = "accounts.people_manage"

    def _waiting(self, request):
        waiting = request.session.get(IMPORT_KEY)
        if not waiting:
            return None
        table = table_loads(waiting["rows"].encode())
        school = (
            School.objects.filter(pk=waiting["school"], pk__in=people_school_ids(user=request.user)).first()
            if waiting["school"]
            else None
        )
        return {"table": table, "school": school, "name": waiting["name"], "preview_rows": PREVIEW_ROWS}

    def _render(self, request, waiting, form, status=200):
        check = people_import_check(table=waiting["table"], by=request.user, default_school=waiting["school"])
        return render(
            request,
            "accounts/people_import_check.html",
            {
                "check": check,
                "form": form,
                "name": waiting["name"],
                "preview": check.rows[: waiting["preview_rows"]],
            },
            status=200 if check.is_valid else 400,
        )

    def get(self, request):
        waiting = self._waiting(request)
        if waiting is None:
            return render(request, "accounts/people_import_check.html", {"check": None})
        return self._render(request, waiting, PeopleImportConfirmForm())

    def post(self, request):
        waiting = self._waiting(request)
        if waiting is None:
            messages.error(request, _("Nothing is waiting to be imported: upload the file again."))
            return redirect("people_import")
        form = PeopleImportConfirmForm(request.POST)
        if not form.is_valid():
            return self._render(request, waiting, form, status=400)

        def work():
            try:
                return services.people_import(
                    table=waiting["table"],
                    by=request.user,
                    default_school=waiting["school"],
                    send=form.cleaned_data["send"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
                return None

        counts, url, repeat = do_once(request, work, lambda _counts: reverse("people_list"))
        if repeat is not None:
            return repeat
        if counts is None:
            return self._render(request, waiting, form, status=400)
        request.session.pop(IMPORT_KEY, None)
        messages.success(
            request,
            _("%(people)s people imported from %(name)s: %(new)s new, %(roles)s roles given.")
            % {**counts, "name": waiting["name"]},
        )
        return redirect(url)
