"""Class lists into the pupil records: a CSV or Excel file, checked first (every bad row named, nothing written)
and imported only when every row is good, as the asset import does (assets/spreadsheets.py reads the file). The checked
rows travel to the confirmation in a signed field (nothing is kept on the server between the two steps); a pupil
whose MIS id is already recorded is updated, not added twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Pupil
from schooldesk.core import spreadsheets
from schooldesk.core.audit import audit_record
from schooldesk.core.permissions import require

MAX_PUPILS = 3000
SALT = "loans.pupil_import"
#: our field, its heading in words, the headings a MIS export uses for it, its length
COLUMNS = [
    (
        "first_name",
        "First name",
        ("first name", "forename", "forenames", "legal forename", "preferred forename", "given name"),
        80,
    ),
    ("last_name", "Last name", ("last name", "surname", "legal surname", "preferred surname", "family name"), 80),
    ("year_group", "Year group", ("year group", "year", "nc year", "year taught in"), 20),
    ("form", "Class", ("class", "form", "reg group", "registration group", "tutor group", "form group"), 40),
    ("mis_id", "MIS id", ("mis id", "upn", "admission number", "adno", "pupil id", "id"), 80),
    ("parent_name", "Parent or carer", ("parent or carer", "parent", "carer", "contact name", "primary contact"), 160),
    (
        "parent_email",
        "Parent or carer's email",
        ("parent email", "parent or carer's email", "contact email", "email"),
        254,
    ),
]


@dataclass
class PupilCheck:
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, int] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    new: int = 0
    updated: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def signed(self, school_id: int, user_id: int) -> str:
        return signing.dumps({"school": school_id, "user": user_id, "rows": self.rows}, salt=SALT, compress=True)


def _mapping(headers: list[str]) -> dict[str, int]:
    found = {}
    normal = [" ".join(str(h or "").lower().replace("_", " ").split()) for h in headers]
    for name, _label, words, _limit in COLUMNS:
        for index, heading in enumerate(normal):
            if heading in words and index not in found.values():
                found[name] = index
                break
    return found


def pupil_import_check(*, school, upload, by) -> PupilCheck:
    """Read and check the whole file. Writes nothing."""
    require(by, "loans.lend", school)
    check = PupilCheck()
    try:
        table = spreadsheets.read_table(upload, max_rows=MAX_PUPILS)
    except spreadsheets.ImportFileError as exc:
        raise ValidationError({"file": exc.message}) from exc
    check.headers, check.mapping = table.headers, _mapping(table.headers)
    missing = [label for name, label, _w, _l in COLUMNS[:2] if name not in check.mapping]
    if missing:
        raise ValidationError(
            {
                "file": _(
                    "The file has no column for %(names)s: the first row should name the "
                    "columns (First name, Last name, Year group, Class)."
                )
                % {"names": " or ".join(missing)}
            }
        )
    known = {p.mis_id: p.pk for p in Pupil.objects.filter(school=school).exclude(mis_id="").only("pk", "mis_id")}
    seen_ids: dict[str, int] = {}
    for line, cells in table.rows:
        row, problems = {}, []
        for name, label, _words, limit in COLUMNS:
            index = check.mapping.get(name)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                row[name] = spreadsheets.text(raw, max_length=limit)
            except spreadsheets.CellError as exc:
                problems.append(f"{label} {exc}")
                row[name] = ""
        for name, label in (("first_name", _("first name")), ("last_name", _("last name"))):
            if not row[name]:
                problems.append(_("the %(what)s is missing") % {"what": label})
        if row["parent_email"]:
            try:
                validate_email(row["parent_email"])
            except ValidationError:
                problems.append(_("“%(email)s” is not an email address") % {"email": row["parent_email"]})
        if row["mis_id"]:
            if row["mis_id"] in seen_ids:
                problems.append(
                    _("the MIS id %(id)s is also on line %(line)s")
                    % {"id": row["mis_id"], "line": seen_ids[row["mis_id"]]}
                )
            seen_ids.setdefault(row["mis_id"], line)
        if problems:
            check.errors.append((line, "; ".join(problems)))
            continue
        row["line"] = line
        check.rows.append(row)
        if row["mis_id"] and row["mis_id"] in known:
            check.updated += 1
        else:
            check.new += 1
    if not table.rows:
        raise ValidationError({"file": _("The file has no pupils in it.")})
    return check


@transaction.atomic
def pupil_import_apply(*, school, signed: str, by) -> int:
    """Import the rows checked a moment ago (signed by the check page; an hour at most)."""
    require(by, "loans.lend", school)
    try:
        data = signing.loads(signed, salt=SALT, max_age=3600)
    except signing.BadSignature as exc:
        raise ValidationError(_("The checked list has expired or was changed: upload the file again.")) from exc
    if data.get("school") != school.pk or data.get("user") != getattr(by, "pk", None):
        raise ValidationError(_("The checked list has expired or was changed: upload the file again."))
    rows = data["rows"]
    existing = {
        p.mis_id: p
        for p in Pupil.objects.select_for_update().filter(
            school=school, mis_id__in=[r["mis_id"] for r in rows if r["mis_id"]]
        )
    }
    fields = [name for name, _l, _w, _m in COLUMNS]
    new, changed = [], []
    for row in rows:
        pupil = existing.get(row["mis_id"]) if row["mis_id"] else None
        if pupil is None:
            new.append(Pupil(school=school, **{name: row[name] for name in fields}))
        else:
            for name in fields:
                setattr(pupil, name, row[name])
            pupil.is_active, pupil.version = True, pupil.version + 1
            changed.append(pupil)
    Pupil.objects.bulk_create(new, batch_size=500)
    Pupil.objects.bulk_update(changed, [*fields, "is_active", "version"], batch_size=500)
    audit_record(
        actor=by,
        school=school,
        action="import",
        obj=school,
        summary=f"Class list imported: {len(new)} pupils added, {len(changed)} updated",
    )
    return len(new) + len(changed)
