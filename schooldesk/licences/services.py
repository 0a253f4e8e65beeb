"""Every change to the licence list goes through these services (views, imports, the demo)."""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from schooldesk.accounts.models import Membership
from schooldesk.assets.models import Asset
from schooldesk.core import spreadsheets
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim
from schooldesk.core.permissions import require
from schooldesk.core.spreadsheets import CellError, ImportFileError
from schooldesk.core.uploads import attachment_validate
from schooldesk.licences.choices import ComplianceState
from schooldesk.licences.models import Allocation, Installation, Licence
from schooldesk.licences.selectors import with_compliance
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.events import emit, subscribed_events

PROOF_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".eml", ".msg", ".txt"}


def licence_counts_refresh(*, licence_ids=None, school_ids=None) -> int:
    """Recount the seats allocated and the devices installed on, for some licences or whole schools, in one
    UPDATE. Every service that adds or removes an allocation or installation calls it; so do imports, the demo
    and the bench after bulk inserts."""

    def total(model, expression=None):
        rows = model.objects.filter(licence=OuterRef("pk")).order_by().values("licence")
        rows = rows.annotate(n=Sum(expression) if expression else Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    licences = Licence.objects.all()
    if licence_ids is not None:
        licences = licences.filter(pk__in=list(licence_ids))
    if school_ids is not None:
        licences = licences.filter(school_id__in=list(school_ids))
    watched = WebhookEvent.LICENCE_UNDER_LICENSED in subscribed_events()  # cached: no query while it holds
    before = set(_under_licensed(licences).values_list("pk", flat=True)) if watched else set()
    updated = licences.update(installed_count=total(Installation), allocated_count=total(Allocation, "quantity"))
    if watched:  # webhooks: each licence that has just become under-licensed, once
        for licence in _under_licensed(licences).exclude(pk__in=before)[:500]:
            emit(
                WebhookEvent.LICENCE_UNDER_LICENSED,
                school=licence.school_id,
                obj=licence,
                data={
                    "name": licence.product,
                    "owned": licence.owned,
                    "in_use": licence.in_use,
                    "shortfall": licence.shortfall,
                },
            )
    return updated


def _under_licensed(licences):
    return with_compliance(licences).filter(state=ComplianceState.UNDER)


def _locked(licence: Licence) -> Licence:
    """Hold the licence's row while its seats change, so two people counting at once count each other."""
    return Licence.objects.select_for_update().select_related("school").get(pk=licence.pk)


KEY_DIGEST_SALT = "schooldesk.licences.key_digest"


def _key_digest_prefix() -> str:
    """Names the key the digests were made with (a digest of a fixed text, revealing nothing), so that digests
    made before DJANGO_SECRET_KEY was changed are found and made again."""
    return salted_hmac(KEY_DIGEST_SALT, "key id", algorithm="sha256").hexdigest()[:8] + ":"


def licence_key_digest(key: str) -> str:
    """What the one-key-per-school check compares, as the key itself is stored encrypted (a new ciphertext each
    time): an HMAC-SHA256, keyed from DJANGO_SECRET_KEY, of the key without spaces around it and in lower case.
    Empty for no key. See docs/decisions/0012-secrets-and-logs.md, "Licence keys and calendar feed addresses"."""
    normalised = key.strip().lower()
    if not normalised:
        return ""
    return _key_digest_prefix() + salted_hmac(KEY_DIGEST_SALT, normalised, algorithm="sha256").hexdigest()


def _stale_key_digests_refresh(school_id: int) -> int:
    """Digests made under a previous DJANGO_SECRET_KEY made again from the keys (one query when none is)."""
    stale = (
        Licence.objects.filter(school_id=school_id)
        .exclude(key_digest="")
        .exclude(key_digest__startswith=_key_digest_prefix())
    )
    rows = list(stale.select_for_update().values_list("pk", "key"))
    for pk, key in rows:
        Licence.objects.filter(pk=pk).update(key_digest=licence_key_digest(key))
    return len(rows)


def _key_clash(licence: Licence):
    if not licence.key_digest:
        return None
    return (
        Licence.objects.filter(school_id=licence.school_id, key_digest=licence.key_digest)
        .exclude(pk=licence.pk)
        .only("pk", "product")
        .first()
    )


def _proof_check(upload):
    """The file to keep (see attachment_validate), or a ValidationError on the proof field."""
    if Path(upload.name).suffix.lower() not in PROOF_EXTENSIONS:
        raise ValidationError(
            {
                "proof": _(
                    "“%(name)s” is not a file type we keep as a proof of purchase: "
                    "send a PDF, a photo, or an Office document."
                )
                % {"name": upload.name}
            }
        )
    try:
        return attachment_validate(upload)
    except ValidationError as exc:
        raise ValidationError({"proof": exc.messages}) from exc


@transaction.atomic
def licence_save(*, licence: Licence, by, proof=None, version: int | None = None) -> Licence:
    """Add or change a licence. Its key is unique within the school; a proof of purchase is kept as a download."""
    require(by, "licences.change", licence)
    version_claim(licence, version)  # a save from an older page is refused (core/concurrency.py)
    licence.product, licence.key = licence.product.strip(), licence.key.strip()
    licence.key_digest = licence_key_digest(licence.key)
    licence.full_clean(validate_unique=False, validate_constraints=False)
    if len(licence.key) > Licence._meta.get_field("key").max_length:  # a text column: the form says it too
        raise ValidationError({"key": _("A licence key has at most 200 characters.")})
    _stale_key_digests_refresh(licence.school_id)
    if (clash := _key_clash(licence)) is not None:
        raise ValidationError(
            {"key": _("That key is already recorded for %(product)s in this school.") % {"product": clash.product}}
        )
    if proof is not None:
        proof = _proof_check(proof)
    created = licence.pk is None
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError as exc:
        raise ValidationError({"key": _("That key is already recorded for another licence in this school.")}) from exc
    if proof is not None:
        licence.proof_stored_name = f"{secrets.token_hex(16)}{Path(proof.name).suffix.lower()}"
        licence.proof_name = Path(proof.name).name[:200]
        licence.proof.save(licence.proof_stored_name, proof, save=False)
        licence.save(update_fields=["proof", "proof_stored_name", "proof_name", "updated_at"])
    audit_record(
        actor=by,
        school=licence.school,
        action="create" if created else "update",
        obj=licence,
        summary=f"Licence {licence.product} saved",
    )
    return licence


def proof_content_type(licence: Licence) -> str:
    return mimetypes.guess_type(licence.proof_name)[0] or "application/octet-stream"


@transaction.atomic
def licence_delete(*, licence: Licence, by) -> None:
    require(by, "licences.change", licence)
    audit_record(
        actor=by, school=licence.school, action="delete", obj=licence, summary=f"Licence {licence.product} deleted"
    )
    if licence.proof:  # the file goes once the deletion is committed: a rolled-back delete keeps its proof
        storage, name = licence.proof.storage, licence.proof.name
        transaction.on_commit(lambda: storage.delete(name))
    licence.delete()


def free_seats(licence: Licence) -> int | None:
    """Seats owned and not yet allocated (never below 0); None for a licence without a number (a site licence)."""
    if licence.quantity is None or licence.is_site:
        return None
    return max(licence.quantity - licence.allocated_count, 0)


@transaction.atomic
def allocation_add(
    *,
    licence: Licence,
    by,
    asset=None,
    person=None,
    location=None,
    quantity: int = 1,
    note: str = "",
    over_allocate: bool = False,
) -> Allocation:
    """Give seats of a licence to one device, one person or one place.

    Seats beyond those the licence still has free are refused unless the person says so (`over_allocate`); an
    accepted over-allocation is recorded on the allocation (`over_allocated`, the seats beyond) and in the audit
    trail, and the licence shows as under-licensed on the compliance page. The licence's row is held from the
    count to the insert, so people allocating at once count each other's seats."""
    require(by, "licences.allocate", licence)
    if sum(x is not None for x in (asset, person, location)) != 1:
        raise ValidationError(_("Choose one device, one person or one location."))
    if asset is not None and asset.school_id != licence.school_id:
        raise ValidationError({"asset": _("Choose a device of this school.")})
    if location is not None and location.school_id != licence.school_id:
        raise ValidationError({"location": _("Choose a location of this school.")})
    if person is not None and not Membership.objects.filter(user=person, school_id=licence.school_id).exists():
        raise ValidationError({"person": _("Choose someone from this school.")})
    if quantity < 1:
        raise ValidationError({"quantity": _("Allocate at least one seat.")})
    licence = _locked(licence)
    free = free_seats(licence)
    beyond = 0 if free is None else max(quantity - free, 0)
    if beyond and not over_allocate:
        raise ValidationError(
            {
                "quantity": (
                    _(
                        "%(product)s has %(free)s of its %(seats)s seats free, so %(quantity)s cannot be allocated. "
                        "Allocate fewer, buy more, or tick “Allocate anyway” to record an over-allocation."
                    )
                    % {"product": licence.product, "free": free, "seats": licence.quantity, "quantity": quantity}
                )
            }
        )
    allocation = Allocation.objects.create(
        school_id=licence.school_id,
        licence=licence,
        asset=asset,
        person=person,
        location=location,
        quantity=quantity,
        note=note.strip()[:120],
        over_allocated=beyond,
    )
    licence_counts_refresh(licence_ids=[licence.pk])
    over = f" (over-allocated by {beyond}, accepted)" if beyond else ""
    audit_record(
        actor=by,
        school=licence.school,
        action="over-allocate" if beyond else "allocate",
        obj=licence,
        summary=f"{quantity} × {licence.product} → {allocation.target}{over}",
    )
    return allocation


@transaction.atomic
def allocation_remove(*, allocation: Allocation, by) -> None:
    require(by, "licences.allocate", allocation)
    _locked(allocation.licence)
    allocation.delete()
    licence_counts_refresh(licence_ids=[allocation.licence_id])


@transaction.atomic
def installation_add(*, licence: Licence, asset: Asset, by, version: str = "", installed_on=None) -> Installation:
    require(by, "licences.allocate", licence)
    if asset.school_id != licence.school_id:
        raise ValidationError({"asset": _("Choose a device of this school.")})
    licence = _locked(licence)
    if Installation.objects.filter(licence=licence, asset=asset).exists():
        raise ValidationError(
            {"asset": _("%(product)s is already recorded on %(tag)s.") % {"product": licence.product, "tag": asset.tag}}
        )
    try:
        with transaction.atomic():
            installation = Installation.objects.create(
                school_id=licence.school_id,
                licence=licence,
                asset=asset,
                version=version.strip()[:40],
                installed_on=installed_on,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"asset": _("%(product)s is already recorded on %(tag)s.") % {"product": licence.product, "tag": asset.tag}}
        ) from exc
    licence_counts_refresh(licence_ids=[licence.pk])
    return installation


@transaction.atomic
def installation_remove(*, installation: Installation, by) -> None:
    require(by, "licences.allocate", installation)
    _locked(installation.licence)
    installation.delete()
    licence_counts_refresh(licence_ids=[installation.licence_id])


INSTALL_COLUMNS = {
    "tag": ("asset tag", "tag", "device", "asset", "computer"),
    "product": ("product", "software", "application", "licence", "title"),
    "version": ("version",),
    "installed_on": ("installed on", "installed", "install date", "date installed"),
}


@transaction.atomic
def installations_import(*, school, upload, by) -> dict:
    """Which software is on which device, from a spreadsheet with columns Asset tag and Product (Version and
    Installed on optional). Every row is checked; nothing is written unless all are right. Rows already
    recorded are skipped. Returns {"added": n, "skipped": n} or raises ValidationError with every bad row."""
    require(by, "licences.allocate", school)
    try:
        table = spreadsheets.read_table(upload, upload.name)
    except ImportFileError as exc:
        raise ValidationError({"file": exc.message}) from exc
    lowered = {h.lower(): i for i, h in enumerate(table.headers) if h}
    columns = {name: next((lowered[w] for w in words if w in lowered), None) for name, words in INSTALL_COLUMNS.items()}
    if columns["tag"] is None or columns["product"] is None:
        raise ValidationError({"file": _("The file needs a column headed “Asset tag” and one headed “Product”.")})
    assets = dict(Asset.objects.filter(school=school).annotate(key=Lower("tag")).values_list("key", "pk"))
    licences: dict[str, Licence] = {}
    for licence in Licence.objects.filter(school=school).order_by("-ends_on", "pk"):
        licences.setdefault(licence.product.lower(), licence)
    existing = set(Installation.objects.filter(school=school).values_list("licence_id", "asset_id"))
    errors, rows, seen = [], [], set()
    for line, cells in table.rows:

        def cell(name, cells=cells):
            i = columns[name]
            return cells[i] if i is not None and i < len(cells) else None

        try:
            tag, product = spreadsheets.text(cell("tag")), spreadsheets.text(cell("product"))
            version, installed_on = (
                spreadsheets.text(cell("version"), max_length=40),
                spreadsheets.day(cell("installed_on")),
            )
        except CellError as exc:
            errors.append(f"Line {line}: {exc}.")
            continue
        asset_id, licence = assets.get(tag.lower()), licences.get(product.lower())
        if not tag or asset_id is None:
            errors.append(f"Line {line}: no device with the tag “{tag[:40]}” in the register.")
        if not product or licence is None:
            errors.append(f"Line {line}: no licence for “{product[:60]}” in the licence list.")
        if asset_id is None or licence is None:
            continue
        key = (licence.pk, asset_id)
        if key in existing or key in seen:
            continue
        seen.add(key)
        rows.append(
            Installation(school=school, licence=licence, asset_id=asset_id, version=version, installed_on=installed_on)
        )
    if errors:
        raise ValidationError(errors)
    Installation.objects.bulk_create(rows, batch_size=1000)
    licence_counts_refresh(licence_ids={row.licence_id for row in rows})
    audit_record(actor=by, school=school, action="import", obj=school, summary=f"{len(rows)} installations imported")
    return {"added": len(rows), "skipped": len(table.rows) - len(rows)}
