from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership
from schooldesk.core.audit import audit_record
from schooldesk.core.choice_cache import forget_choices
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.roles import Role
from schooldesk.incidents.choices import DEFAULT_CATEGORIES
from schooldesk.incidents.models import Category
from schooldesk.locations.models import PRESET_LOCATIONS, Location
from schooldesk.schools.models import Closure, Organisation, School, Term
from schooldesk.standards.services import checks_setup_defaults
from schooldesk.suppliers.models import Supplier


@transaction.atomic
def school_create(*, organisation: Organisation, name: str, phase: str, governance: str, by=None, **fields) -> School:
    """A new school, ready to use: preset locations and default categories included."""
    school = School(organisation=organisation, name=name, phase=phase, governance=governance, **fields)
    school.full_clean()
    school.save()
    school_setup_defaults(school=school)
    audit_record(actor=by, school=school, action="create", obj=school, summary=f"School {school} created")
    return school


def school_setup_defaults(*, school: School) -> None:
    """Idempotent: the preset locations and categories every school starts with."""
    # real circles: incidents and locations import schools (a new school sets up their defaults)

    existing = set(Location.objects.filter(school=school).values_list("name", flat=True))
    Location.objects.bulk_create(
        [Location(school=school, name=n, is_preset=True) for n in PRESET_LOCATIONS if n not in existing]
    )
    existing = set(Category.objects.filter(school=school).values_list("name", flat=True))
    Category.objects.bulk_create([Category(school=school, name=n) for n in DEFAULT_CATEGORIES if n not in existing])
    forget_choices(Location, Category)  # bulk: no signal tells the drop-downs
    checks_setup_defaults(school=school)  # the starter schedule of checks (backup, patching, filtering…)


@transaction.atomic
def school_update(*, school: School, by, version: int | None = None, **fields) -> School:
    require(by, "schools.change", school)
    version_claim(school, version)  # a save from an older page is refused (core/concurrency.py)
    changes = {}
    for name, value in fields.items():
        old = getattr(school, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(school, name, value)
    school.full_clean()
    school.save()
    if changes:
        audit_record(
            actor=by, school=school, action="update", obj=school, summary="School settings changed", changes=changes
        )
    return school


@transaction.atomic
def term_save(*, term: Term, by) -> Term:
    require(by, "schools.change", term)
    term.full_clean()
    overlapping = Term.objects.filter(
        school=term.school, starts_on__lte=term.ends_on, ends_on__gte=term.starts_on
    ).exclude(pk=term.pk)
    if overlapping.exists():
        raise ValidationError({"starts_on": _("This term overlaps %(term)s.") % {"term": overlapping.first()}})
    term.save()
    audit_record(actor=by, school=term.school, action="save", obj=term, summary=f"Term {term} saved")
    return term


@transaction.atomic
def closure_save(*, closure: Closure, by) -> Closure:
    require(by, "schools.change", closure)
    closure.full_clean()
    closure.save()
    audit_record(actor=by, school=closure.school, action="save", obj=closure, summary=f"Closure {closure} saved")
    return closure


@transaction.atomic
def calendar_entry_delete(*, entry: Term | Closure, by) -> None:
    require(by, "schools.change", entry)
    audit_record(actor=by, school=entry.school, action="delete", obj=entry, summary=f"{entry} deleted")
    entry.delete()


@transaction.atomic
def category_add(*, school: School, name: str, by):

    require(by, "schools.change", school)
    name = name.strip()
    if Category.objects.filter(school=school, name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a category called “%(name)s”.") % {"name": name}})
    category = Category.objects.create(school=school, name=name)
    audit_record(actor=by, school=school, action="create", obj=category, summary=f"Category {name} added")
    return category


@transaction.atomic
def category_set_archived(*, category, archived: bool, by):
    require(by, "schools.change", category)
    category.is_archived = archived
    category.save(update_fields=["is_archived", "updated_at"])
    audit_record(
        actor=by,
        school=category.school,
        action="archive" if archived else "restore",
        obj=category,
        summary=f"Category {category} {'archived' if archived else 'restored'}",
    )
    return category


@dataclass
class DeskStart:
    """What `desk_start` found (False) or created (True), for the command to report."""

    organisation: Organisation
    school: School
    created: dict[str, bool]


def desk_start_missing_people(*, usernames: list[str]) -> list[str]:
    """The usernames `desk_start` would create (their password is only needed then)."""
    existing = set(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
    return [u for u in usernames if u not in existing]


@transaction.atomic
def desk_start(
    *,
    organisation_name: str,
    organisation_kind: str,
    school_name: str,
    urn: str,
    phase: str,
    governance: str,
    nation: str,
    owner: dict,
    people: list[tuple[str, str]],
    password: str | None,
    supplier_name: str = "",
) -> DeskStart:
    """The first organisation, school and ICT owner (a superuser, so the Django admin is there for what the
    desk has no page for yet), and any first people as (username, role): what `manage.py desk_init` runs.

    Idempotent: what exists (the organisation by name, the school by URN or else by name within it, people by
    username, their memberships) is kept as it is; a password is only set on people created now. An
    organisation that is not a single school gets its ICT owner across all its schools (an LA or trust runs
    this once per school). Providers belong to the supplier named `supplier_name`, made in the organisation if
    it has none of that name."""
    # real circles: accounts and suppliers import schools

    User = get_user_model()
    created = {}
    organisation = Organisation.objects.filter(name=organisation_name).first()
    created["organisation"] = organisation is None
    if organisation is None:
        organisation = Organisation(name=organisation_name, kind=organisation_kind)
        organisation.full_clean()
        organisation.save()
    schools = School.objects.filter(organisation=organisation)
    school = schools.filter(urn=urn).first() if urn else schools.filter(name=school_name).first()
    created["school"] = school is None
    if school is None:
        school = school_create(
            organisation=organisation, name=school_name, urn=urn, phase=phase, governance=governance, nation=nation
        )
    supplier = None
    if supplier_name:
        supplier = Supplier.objects.filter(organisation=organisation, name=supplier_name).first()
        created["supplier"] = supplier is None
        if supplier is None:
            supplier = Supplier.objects.create(organisation=organisation, name=supplier_name)
            audit_record(
                actor=None, school=school, action="create", obj=supplier, summary=f"Supplier {supplier_name} created"
            )
    everyone = [(owner["username"], Role.OWNER, owner)] + [(u, role, {"username": u}) for u, role in people]
    for username, role, fields in everyone:
        if role == Role.PROVIDER and supplier is None:
            raise ValidationError(
                _("%(username)s: a provider belongs to a supplier; name it with --supplier.") % {"username": username}
            )
        user = User.objects.filter(username=username).first()
        created[username] = user is None
        if user is None:
            if not password:
                raise ValidationError(_("%(username)s is new and needs a password.") % {"username": username})
            user = User(**fields)
            if role == Role.OWNER:
                user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.full_clean()
            user.save()
            audit_record(actor=None, school=school, action="create", obj=user, summary=f"Person {username} created")
        where = (
            {"organisation": organisation}
            if role == Role.OWNER and organisation.kind != "school"
            else {"school": school}
        )
        if role == Role.PROVIDER:
            where["supplier"] = supplier
        if not Membership.objects.filter(user=user, role=role, **where).exists():
            membership = Membership.objects.create(user=user, role=role, **where)
            audit_record(
                actor=None,
                school=school,
                action="create",
                obj=membership,
                summary=f"{username} made {membership.get_role_display()}",
            )
    return DeskStart(organisation=organisation, school=school, created=created)
