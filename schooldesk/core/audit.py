"""The audit trail: one way to write an entry, the few shared places that write the entries no service writes
(downloads, reads of restricted calls, role grants, sign-ins, refusals), and the sentence a person reads.

Services write their own entries (`audit_record`): they are the one write path (docs/decisions/0016 says why our
own entries, not django-auditlog). What is not a service's write is caught once, where everyone passes:
- a download: `AuditMiddleware` sees every response that is a file (`Content-Disposition: attachment`), whichever
  view made it (core.exports for CSV and XLSX, the PDFs, uploads served with FileResponse);
- a refusal: `AuditMiddleware.process_exception` sees every PermissionDenied, and every Http404 for a record that
  exists but is not the person's to see (a tenancy 404): one entry a refused request;
- a role granted or removed, a sign-in: accounts/audit_hooks.py, connected by the accounts app (the ground floor
  knows no Membership, docs/decisions/0037).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import cache

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schooldesk.core.access import access_for
from schooldesk.core.models import AuditEntry
from schooldesk.core.roles import Role

logger = logging.getLogger(__name__)

#: actions written by the hooks below (the services write create/update/delete and their own verbs)
VIEW, DOWNLOAD, REFUSE, GRANT, REVOKE, SIGN_IN = "view", "download", "refuse", "grant", "revoke", "sign_in"
#: sign-ins refused (a wrong password, a password where the school has turned them off, a Microsoft or Google
#: sign-in the desk does not let in) and a Microsoft or Google identity linked to an account (docs/decisions/0031)
SIGN_IN_FAILED, SSO_LINK = "sign_in_failed", "sso_link"
SIGN_IN_REFUSALS = {
    "password": gettext_lazy("wrong password"),
    "passwords_off": gettext_lazy("a password, where the school signs in with Microsoft or Google only"),
    "sso": gettext_lazy("not let in with Microsoft or Google"),
}


def audit_label(obj) -> str:
    return str(getattr(obj, "reference", "") or obj)[:200]


def audit_record(
    *,
    actor,
    school,
    action: str,
    obj,
    summary: str,
    changes: dict | None = None,
    organisation=None,
    label: str | None = None,
) -> AuditEntry:
    """One entry. `organisation`: for an organisation's own record (a supplier) with no school; otherwise the
    school's organisation is kept, so an LA's officers can filter by it."""
    if organisation is None and school is not None:
        organisation_id = school.organisation_id
    else:
        organisation_id = getattr(organisation, "pk", organisation)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        school=school,
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_label=audit_label(obj) if label is None else label[:200],
        summary=summary[:300],
        changes=changes or {},
    )


# --- the sentence a person reads ---------------------------------------------------------------------------------
@cache
def kinds() -> dict[str, str]:
    """model name -> what a person calls it ("call", "asset"), from each model's verbose_name."""
    names = {model._meta.model_name: model._meta.verbose_name for model in apps.get_models()}
    names |= {"incident": gettext_lazy("call"), "user": gettext_lazy("person"), "membership": gettext_lazy("role")}
    return names  # lazy: each read in the reader's language


def kind_of(object_type: str) -> str:
    return str(kinds().get(object_type, object_type))


def actor_name(entry) -> str:
    if entry.actor_id is None:
        return _("SchoolDesk (automatically)") if entry.action not in (REFUSE, SIGN_IN) else _("Someone")
    actor = entry.actor
    return actor.get_full_name() or actor.username


def audit_sentence(entry) -> str:
    """ "Mrs Patel downloaded the asset register (CSV)", "Tom Hill was refused the page of call INC-000123"."""
    who, what = actor_name(entry), f"{kind_of(entry.object_type)} {entry.object_label}".strip()
    changes = entry.changes or {}
    if entry.action == DOWNLOAD:
        named, extension = DOWNLOAD_NAMES.get(entry.object_id), changes.get("format", "")
        what = (f"{named} ({extension})" if extension else str(named)) if named else entry.object_label
        return _("%(who)s downloaded %(what)s") % {"who": who, "what": what}
    if entry.action == VIEW:
        return _("%(who)s opened the restricted %(what)s") % {"who": who, "what": what}
    if entry.action == REFUSE:
        if entry.object_label:
            return _("%(who)s was refused the page of %(what)s") % {"who": who, "what": what}
        return _("%(who)s was refused the page %(path)s") % {"who": who, "path": changes.get("path", "")}
    if entry.action in (GRANT, REVOKE):
        verb = (
            _("gave %(person)s the role %(role)s")
            if entry.action == GRANT
            else _("took the role %(role)s from %(person)s")
        )
        role = dict(Role.choices).get(changes.get("role"), changes.get("role", ""))
        return f"{who} " + verb % {"person": changes.get("person", ""), "role": role}
    if entry.action == SIGN_IN:
        if changes.get("with"):
            return _("%(who)s signed in with %(provider)s") % {"who": who, "provider": changes["with"]}
        return _("%(who)s signed in") % {"who": who}
    if entry.object_type == "user" and entry.action in ("invite", "deactivate", "reactivate"):
        sentence = {
            "invite": _("%(who)s invited %(person)s"),
            "deactivate": _("%(who)s marked %(person)s as having left"),
            "reactivate": _("%(who)s let %(person)s sign in again"),
        }[entry.action]
        return sentence % {"who": who, "person": entry.object_label}
    if entry.action == SIGN_IN_FAILED:
        return _("A sign-in as %(person)s was refused: %(reason)s") % {
            "person": entry.object_label or changes.get("email", ""),
            "reason": SIGN_IN_REFUSALS.get(changes.get("reason"), changes.get("reason", "")),
        }
    if entry.action == SSO_LINK:
        return _("%(who)s's account was linked to their %(provider)s sign-in") % {
            "who": who,
            "provider": changes.get("with", ""),
        }
    if entry.object_type == "suppliersuggestion" and entry.action in ("suggest", "accept", "decline"):
        sentence = {
            "suggest": _("%(who)s suggested a change to %(what)s"),
            "accept": _("%(who)s accepted a suggested change to %(what)s"),
            "decline": _("%(who)s declined a suggested change to %(what)s"),
        }[entry.action]
        return sentence % {"who": who, "what": entry.object_label}
    verbs = {"create": _("added"), "update": _("changed"), "save": _("saved"), "delete": _("deleted")}
    if entry.action in verbs and entry.object_label:  # (entries written before labels were kept: their summary)
        sentence = _("%(who)s %(verb)s the %(what)s") % {"who": who, "verb": verbs[entry.action], "what": what}
        fields = [name for name in changes if isinstance(changes.get(name), list | tuple)]
        if fields:
            sentence += " (" + ", ".join(fields) + ")"
        return sentence
    return f"{who}: {entry.summary}"


# --- downloads and refusals, where every request passes ----------------------------------------------------------
#: what a download is, by the route that serves it; otherwise its file name is shown
DOWNLOAD_NAMES = {
    "assets:asset_export": gettext_lazy("the asset register"),
    "licences:licence_export": gettext_lazy("the licence list"),
    "diary:payment_list": gettext_lazy("the payments"),
    "reports:incident_report": gettext_lazy("the incident report"),
    "reports:service_report": gettext_lazy("the service report"),
    "changes:change_report": gettext_lazy("the change report"),
    "problems:problem_report": gettext_lazy("the problem report"),
    "reports:audit_trail": gettext_lazy("the audit trail"),
    "assets:asset_labels": gettext_lazy("an asset's label sheet"),
    "assets:asset_bulk": gettext_lazy("asset labels"),
    "assets:location_labels": gettext_lazy("room labels"),
    "privacy:request_pack": gettext_lazy("a subject access pack"),
    "people_export": gettext_lazy("the list of people"),
    "loans:charge_letter": gettext_lazy("a letter to parents about a charge"),
    "loans:charge_export": gettext_lazy("the charges for the payment system"),
    "mfa_download_recovery_codes": gettext_lazy("their two-step sign-in recovery codes"),
}
#: the record a refused address names, by namespace: the model whose pk is `pk` in that app's routes
REFUSED_MODELS = {
    "incidents": "incidents.Incident",
    "assets": "assets.Asset",
    "changes": "changes.ChangeRequest",
    "problems": "problems.Problem",
    "licences": "licences.Licence",
    "locations": "locations.Location",
    "diary": "diary.DiaryEntry",
    "schools": "schools.School",
    "suppliers": "suppliers.Supplier",
}


def _request_school(request):
    from schooldesk.core import logs

    return logs.current()["school_id"]


def download_record(request, response) -> None:
    """The person downloaded a file: "the asset register (CSV)" or the file's name. The school is the record's
    (noted by the view) or the person's only school; an LA-wide person's export is the organisation's."""
    match = getattr(request, "resolver_match", None)
    route = match.view_name if match else ""
    filename = response.get("Content-Disposition", "").partition("filename=")[2].strip('"') or request.path
    extension = filename.rsplit(".", 1)[-1].upper() if "." in filename else ""
    school_id = _request_school(request)
    School = apps.get_model("schools.School")
    if school_id is not None:
        places = [(school_id, School.objects.filter(pk=school_id).values_list("organisation_id", flat=True).first())]
    else:  # a list of several schools: each school's trail shows it; an LA-wide person's, the organisation's
        access = access_for(request.user)
        places = [(None, org) for org in sorted(access.schools_by_organisation)]
        covered = set().union(*access.schools_by_organisation.values()) if places else set()
        rest = sorted(set(access.roles_by_school) - covered)
        places += list(School.objects.filter(pk__in=rest).values_list("pk", "organisation_id")) if rest else []
    details = {
        "format": extension[:10],
        "path": request.path[:200],
        "query": request.META.get("QUERY_STRING", "")[:200],
    }
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=request.user,
                school_id=school,
                organisation_id=organisation,
                action=DOWNLOAD,
                object_type="download",
                object_id=route[:40],
                object_label=filename[:200],
                summary=f"Downloaded {filename}"[:300],
                changes=details,
            )
            for school, organisation in places
        ]
    )


def _owner(obj):
    """The record that says whose `obj` is: itself when it has a school or an organisation, else its parent (a
    change's milestone, a supplier's contact) through its first foreign key to such a record; None if neither."""
    if hasattr(obj, "school_id") or hasattr(obj, "organisation_id"):
        return obj
    for field in obj._meta.concrete_fields:
        if field.many_to_one:
            parent = getattr(obj, field.name, None)
            if parent is not None and (hasattr(parent, "school_id") or hasattr(parent, "organisation_id")):
                return parent
    return None


def refusal_record(request, *, not_found: bool, model=None) -> None:
    """A refused request: one entry. A 404 counts only when it names a record that exists but is not the person's
    (another school's call): the entry then goes to that record's school, whose owner should know. A 404 for
    an address that names nothing is not a refusal and writes nothing."""
    match = getattr(request, "resolver_match", None)
    obj = None
    # only "<app>/<int:pk>/…" names the app's own record ("diary/payments/<pk>/" is another kind)
    names_record = match is not None and match.route.split("/")[1:2] == ["<int:pk>"]
    if model is None and names_record and match.namespace in REFUSED_MODELS:
        model = apps.get_model(REFUSED_MODELS[match.namespace])
    if model is not None and match is not None and str(match.kwargs.get("pk", "")).isdigit():
        obj = model._base_manager.filter(pk=match.kwargs["pk"]).first()
    if not_found and obj is None:
        return
    School = apps.get_model("schools", "School")
    owner = _owner(obj) if obj is not None else None
    if isinstance(obj, School):
        school_id, organisation_id = obj.pk, obj.organisation_id
    elif owner is not None and hasattr(owner, "school_id"):
        school_id, organisation_id = owner.school_id, None
    elif owner is not None and hasattr(owner, "organisation_id"):
        school_id, organisation_id = None, owner.organisation_id
    else:
        school_id, organisation_id = _request_school(request), None
        if not_found:  # a record whose school is unknown (a person): its name is not told to the refused one's school
            obj = None
    if school_id is not None and organisation_id is None:
        organisation_id = School.objects.filter(pk=school_id).values_list("organisation_id", flat=True).first()
    AuditEntry.objects.create(
        actor=request.user,
        school_id=school_id,
        organisation_id=organisation_id,
        action=REFUSE,
        object_type=obj._meta.model_name if obj is not None else "page",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=audit_label(obj) if obj is not None else "",
        summary=f"Refused {request.method} {request.path}"[:300],
        changes={"path": request.path[:200], "method": request.method, "status": 404 if not_found else 403},
    )


class AuditMiddleware:
    """After AuthenticationMiddleware: records every download a signed-in person receives and every refusal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and getattr(user, "is_authenticated", False)
            and response.get("Content-Disposition", "").startswith("attachment")
        ):
            try:
                download_record(request, response)
            except Exception:  # the person still gets the file; the failure is logged
                logger.exception("The download could not be recorded in the audit trail")
        return response

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and isinstance(exception, PermissionDenied | Http404):
            try:
                refusal_record(request, not_found=isinstance(exception, Http404))
            except Exception:
                logger.exception("The refusal could not be recorded in the audit trail")
        return None


def api_exception_handler(exc, context):
    """REST framework answers its own refusals (the middleware never sees them): the same one entry each, naming
    the record by the viewset's model."""
    from rest_framework.views import exception_handler

    response = exception_handler(exc, context)
    request, view = context.get("request"), context.get("view")
    if (
        response is not None
        and response.status_code in (403, 404)
        and request is not None
        and getattr(request.user, "is_authenticated", False)
    ):
        try:
            model = view.get_queryset().model if hasattr(view, "get_queryset") else None  # lazy: no query
            refusal_record(request._request, not_found=response.status_code == 404, model=model)
        except Exception:
            logger.exception("The refusal could not be recorded in the audit trail")
    return response


# --- retention ---------------------------------------------------------------------------------------------------
#: the schools that keep their trail on their own schedule: each a callable answering their ids (a `values`
#: queryset or a list). schooldesk/privacy registers its retention schedules here (`keep_on_own_schedule`).
OWN_SCHEDULES: list[Callable[[], Iterable[int]]] = []


def keep_on_own_schedule(schools: Callable[[], Iterable[int]]) -> None:
    """Leave the schools `schools()` answers to their own schedule: `audit_prune` passes them by."""
    if schools not in OWN_SCHEDULES:
        OWN_SCHEDULES.append(schools)


def audit_prune(*, now=None) -> int:
    """Delete the entries older than SCHOOLDESK_AUDIT_RETENTION_DAYS; returns how many went. A school whose DPO has
    switched on its own retention schedule is left to it: the schedule's audit period (whose default is this setting)
    is applied by schooldesk/privacy's nightly job, one mechanism per school (docs/decisions/0024); privacy names
    those schools through `keep_on_own_schedule` (the ground floor imports no app, docs/decisions/0037)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SCHOOLDESK_AUDIT_RETENTION_DAYS)
    entries = AuditEntry.objects.filter(at__lt=cutoff)
    for own in OWN_SCHEDULES:
        entries = entries.exclude(school_id__in=own())
    deleted, _by_model = entries.delete()
    return deleted
