"""Checking a staff (or pupil) list before anything is written: every row read, every problem named with its line
and column, nothing written until the whole file is right (accounts.services.people_import then writes it all).
The file is read by the asset import's reader (schooldesk/assets/spreadsheets.py: CSV or XLSX, safely); the columns are
found by their headings, as schools name them (docs/decisions/0033)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.selectors import people_school_ids
from schooldesk.core import spreadsheets
from schooldesk.core.access import access_for
from schooldesk.core.roles import ROLE_RANK, Role
from schooldesk.core.spreadsheets import CellError
from schooldesk.schools.models import School

#: staff lists are hundreds of rows, an LA's a few thousand; the checked rows wait in the person's session
MAX_ROWS = 5_000
PREVIEW_ROWS = 20
#: (field, label, required column, headings that mean it)
COLUMNS = [
    ("first_name", "First name", True, ["first name", "forename", "forenames", "given name", "first"]),
    ("last_name", "Last name", True, ["last name", "surname", "family name", "last"]),
    ("email", "Email", True, ["email", "email address", "e-mail", "e-mail address", "work email", "school email"]),
    ("job_title", "Job title", False, ["job title", "title", "position", "job", "role title", "post"]),
    ("roles", "Roles", True, ["roles", "role", "role(s)", "schooldesk role", "schooldesk roles", "access"]),
    ("school", "School", False, ["school", "school name", "urn", "school urn", "establishment", "dfe urn"]),
]
LABELS = {name: label for name, label, _r, _s in COLUMNS}
ROLE_WORDS = {
    **{value: value for value in Role.values},
    **{str(label).lower(): value for value, label in Role.choices},
    "pupil": Role.REPORTER,
    "student": Role.REPORTER,
    "staff": Role.REPORTER,
    "ict owner": Role.OWNER,
    "owner": Role.OWNER,
    "service desk administrator": Role.SPOC,
    "technician": Role.TECHNICIAN,
    "first level": Role.TECHNICIAN,
    "governor": Role.VIEWER,
    "head": Role.VIEWER,
    "head teacher": Role.VIEWER,
    "dpo": Role.DPO,
    "dsl": Role.DSL,
    "data protection officer": Role.DPO,
    "designated safeguarding lead": Role.DSL,
}


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class PersonRow:
    line: int
    first_name: str
    last_name: str
    email: str
    job_title: str
    roles: list[str]
    school: object
    existing: User | None = None


@dataclass
class PeopleCheck:
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[PersonRow] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def bad_lines(self) -> int:
        return len({e.line for e in self.errors})

    @property
    def new_people(self) -> int:
        return sum(1 for row in self.rows if row.existing is None)


def read_people(upload) -> spreadsheets.Table:
    """The file's rows, or a ValidationError on `file` saying why the whole file cannot be used."""
    try:
        table = spreadsheets.read_table(upload, getattr(upload, "name", ""), max_rows=MAX_ROWS)
    except spreadsheets.ImportFileError as exc:
        raise ValidationError({"file": exc.message}) from exc
    if not table.rows:
        raise ValidationError({"file": _("The file has headings but no rows of people under them.")})
    mapping = columns_of(table.headers)
    missing = [LABELS[name] for name, _label, required, _s in COLUMNS if required and name not in mapping]
    if missing:
        raise ValidationError(
            {
                "file": _(
                    "The file has no column headed %(missing)s. The first row must name the "
                    "columns: First name, Last name, Email, Job title, Roles and, for "
                    "several schools, School (its name or URN)."
                )
                % {"missing": ", ".join(f"“{m}”" for m in missing)}
            }
        )
    return table


def columns_of(headers: list[str]) -> dict[str, int]:
    """Our field → the position of the file's column, from the usual headings."""
    lowered = {str(h).strip().lower().rstrip(":"): i for i, h in enumerate(headers) if h}
    found: dict[str, int] = {}
    for name, label, _required, synonyms in COLUMNS:
        for word in [label.lower(), *synonyms]:
            if word in lowered and lowered[word] not in found.values():
                found[name] = lowered[word]
                break
    return found


def _schools(user):

    schools = list(School.objects.filter(pk__in=people_school_ids(user=user)))
    by_word: dict[str, list] = {}
    for school in schools:
        for word in {school.name.lower(), (school.urn or "").lower(), (school.short_name or "").lower()} - {""}:
            by_word.setdefault(word, []).append(school)
    return by_word


def _existing(emails) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    keys = sorted({e.lower() for e in emails if e})
    for start in range(0, len(keys), 500):
        for person in User.objects.annotate(key=Lower("email")).filter(key__in=keys[start : start + 500]):
            found.setdefault(person.key, []).append(person)
    return found


def _ranks(people, school_ids) -> dict[tuple[int, int], int]:
    """(person, school) → how high the person stands there now: one query for the whole file."""
    from schooldesk.accounts.services import person_rank_in

    ranks = {}
    ids = {p.pk for p in people}
    held = set(Membership.objects.filter(user_id__in=ids).values_list("user_id", flat=True)) if ids else set()
    for person in people:
        if person.pk in held or person.is_superuser:
            for school in school_ids:
                ranks[(person.pk, school.pk)] = person_rank_in(person, school)
    return ranks


def people_import_check(*, table: spreadsheets.Table, by, default_school=None) -> PeopleCheck:
    """Check every row against the reader's schools and roles. Writes nothing."""
    index = columns_of(table.headers)
    schools = _schools(by)
    access = access_for(by)
    result = PeopleCheck(total=len(table.rows))
    rows_by_key: dict[tuple[str, int], int] = {}
    cells_by_line = []
    for line, cells in table.rows:
        values, errors = {}, []
        for name in LABELS:
            position = index.get(name)
            raw = cells[position] if position is not None and position < len(cells) else None
            try:
                values[name] = spreadsheets.text(raw, max_length=254 if name == "email" else 150)
            except CellError as exc:
                errors.append(RowError(line, LABELS[name], str(exc)))
                values[name] = ""
        cells_by_line.append((line, values, errors))
    existing = _existing(v["email"] for _l, v, _e in cells_by_line)
    rank_of = {}
    for line, values, errors in cells_by_line:

        def fail(name, message, line=line, errors=errors):
            errors.append(RowError(line, LABELS[name], message))

        email = values["email"].lower()
        if not email:
            if not any(e.column == LABELS["email"] for e in errors):
                fail("email", _("is empty: every person needs an email address (it is how they sign in)"))
        else:
            try:
                validate_email(email)
            except ValidationError:
                fail("email", _("“%(email)s” is not an email address") % {"email": values["email"][:60]})
        school = default_school
        if values["school"]:
            matches = schools.get(values["school"].lower(), [])
            if len(matches) == 1:
                school = matches[0]
            else:
                school = None
                fail(
                    "school",
                    (
                        _("“%(school)s” is the name of several of your schools: give its URN")
                        if matches
                        else _("“%(school)s” is not a school whose people you manage: give its name or URN")
                    )
                    % {"school": values["school"][:60]},
                )
        elif school is None:
            fail("school", _("is empty: say which school (its name or URN), or choose one school for the whole file"))
        roles = []
        words = [w.strip().lower() for w in values["roles"].replace(",", ";").replace("/", ";").split(";")]
        words = [w for w in words if w]
        if not words and not any(e.column == LABELS["roles"] for e in errors):
            fail("roles", _("is empty: give at least one role (reporter, technician, SPOC, …)"))
        for word in words:
            role = ROLE_WORDS.get(word)
            if role is None:
                fail(
                    "roles",
                    _("“%(word)s” is not a role: use reporter, viewer, technician, SPOC, ICT owner, DPO or DSL")
                    % {"word": word[:30]},
                )
            elif role == Role.PROVIDER:
                fail("roles", _("a provider belongs to a supplier: give that role on the person's own page"))
            elif school is not None:
                if school.pk not in rank_of:
                    rank_of[school.pk] = access.rank_in(school.pk)
                if ROLE_RANK[role] > rank_of[school.pk]:
                    fail(
                        "roles",
                        _("you cannot give the role %(role)s (above your own in %(school)s)")
                        % {"role": Role(role).label, "school": school.name},
                    )
                elif role not in roles:
                    roles.append(role)
        matched = existing.get(email, []) if email else []
        person = None
        if len(matched) > 1:
            fail("email", _("two people already have this address: the administrator must sort that out first"))
        elif matched:
            person = matched[0]
            if school is not None and _ranks([person], [school]).get((person.pk, school.pk), 0) > rank_of.get(
                school.pk, access.rank_in(school.pk)
            ):
                fail(
                    "email",
                    _("%(person)s stands above you in %(school)s: ask the ICT owner")
                    % {"person": person, "school": school.name},
                )
        else:
            for name in ("first_name", "last_name"):
                if not values[name] and not any(e.column == LABELS[name] for e in errors):
                    fail(name, _("is empty: a new person needs a first and a last name"))
        if email and school is not None:
            key = (email, school.pk)
            if key in rows_by_key:
                fail(
                    "email",
                    _("%(email)s is also on line %(line)s for the same school")
                    % {"email": email, "line": rows_by_key[key]},
                )
            rows_by_key.setdefault(key, line)
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            PersonRow(
                line=line,
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=email,
                job_title=values["job_title"],
                roles=roles,
                school=school,
                existing=person,
            )
        )
    return result
