"""Who may do what in SchoolDesk: every rule, in one module, one per action.

Read it as a table: the action's name, who may do it, and what a refusal says. The services refuse with
`require(by, name, obj)`, the views offer with `can(user, name, obj)` and the templates show with
`{% can name obj as var %}` (the mechanism: core/permissions.py; docs/decisions/0036). A rule reads only the
person's roles (accounts/access.py) and the object's own fields; the role sets come from each app's `choices.py`.
Where `obj` is None the question is "in some school" (the menu, a list's "Add" button).

What a person may *see* is tenancy, not a rule here: `visible_to` (core/scoping.py) answers it, with the
`visible_roles` a model names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from schooldesk.core.permissions import rule, school_id_of


# --- the shapes of a rule ------------------------------------------------------------------------
def holds(roles):
    """One of `roles` in the object's school (in some school when there is no object)."""
    roles = frozenset(roles)

    def test(access, user, obj) -> bool:
        school_id = school_id_of(obj)
        return access.any_role(roles) if school_id is None else access.has_role(school_id, roles)

    return test


def holds_for_organisation(roles):
    """One of `roles` across the whole organisation `obj` (an Organisation, or its id), or in some school of it
    when the organisation is a stand-alone school's own."""
    roles = frozenset(roles)

    def test(access, user, obj) -> bool:
        organisation_id = getattr(obj, "pk", obj)
        if organisation_id is None:
            return bool(access.organisation_ids(roles)) or access.any_role(roles)
        return organisation_id in access.organisations_managed(roles)

    return test


def either(*tests):
    def test(access, user, obj) -> bool:
        return any(one(access, user, obj) for one in tests)

    return test


def both(*tests):
    def test(access, user, obj) -> bool:
        return all(one(access, user, obj) for one in tests)

    return test


# --- accounts: people, roles, sign-in ------------------------------------------------------------


# --- schools: the school's settings, terms, categories ----------------------------------------------


# --- incidents: calls --------------------------------------------------------------------------------
# A call's actions: who may take them, and in which of the call's states the call page offers them. The services
# check a state they can name first (a ValidationError: "INC-000012 is resolved; reopen it first."), then refuse
# with the rule, so the page offers exactly what the service accepts (schooldesk/incidents/actions.py).
from django.utils import timezone as _timezone  # noqa: E402

from schooldesk.accounts.choices import DESK_ROLES as _DESK  # noqa: E402
from schooldesk.accounts.choices import STAFF_ROLES as _STAFF  # noqa: E402
from schooldesk.accounts.choices import Role as _Role  # noqa: E402
from schooldesk.incidents import choices as _calls  # noqa: E402

_ACTIVE, _PAUSED, _Status, _WORKING = (
    _calls.ACTIVE_STATUSES,
    _calls.PAUSED_STATUSES,
    _calls.IncidentStatus,
    _calls.WORKING_ROLES,
)
_CANNOT_ON_THIS_CALL = _("You cannot do that on this call.")


def _call_worker(access, user, incident) -> bool:
    """School staff, or a provider whose supplier the call has been escalated to (in some school: a working role)."""
    if incident is None:
        return access.any_role(_WORKING)
    if access.has_role(incident.school_id, _STAFF):
        return True
    return bool(incident.supplier_id) and incident.supplier_id in access.suppliers_by_school.get(
        incident.school_id, frozenset()
    )


def _call_reporter(access, user, incident) -> bool:
    """The person who reported the call or logged it."""
    return incident is not None and user.pk in (incident.reported_by_id, incident.logged_by_id)


def _status_in(statuses):
    statuses = frozenset(statuses)

    def test(access, user, incident) -> bool:
        return incident is None or incident.status in statuses

    return test


#: active and not awaiting approval: "awaiting approval, a call can only be decided or cancelled"
_call_working = _status_in(_ACTIVE - {_Status.WAITING_APPROVAL})
_call_waiting = _status_in(_PAUSED - {_Status.WAITING_APPROVAL})


def _call_not_waiting(access, user, incident) -> bool:
    return incident is None or incident.status not in _PAUSED


def _call_escalated(access, user, incident) -> bool:
    return incident is None or bool(incident.supplier_id and incident.escalated_at)


def _call_rateable(access, user, incident) -> bool:
    """The reporter, on a resolved or closed call picked for a rating, not rated more than a day ago."""
    if incident is None or user.pk != incident.reported_by_id or not incident.satisfaction_asked_at:
        return False
    if incident.status not in (_Status.RESOLVED, _Status.CLOSED):
        return False
    return not (
        incident.satisfaction and _timezone.now() - incident.satisfaction_at > _calls.SATISFACTION_CHANGE_WINDOW
    )


rule("incidents.report", holds(set(_Role)), _("You are not a member of this school."))
rule(
    "incidents.log_for_someone",
    holds(_STAFF),
    _("Only the service desk can log a call for someone else or triage it."),
)
rule("incidents.triage", both(holds(_DESK), _call_working), _("Only the SPOC or the ICT owner can triage calls."))
rule("incidents.assign", both(holds(_DESK), _call_working), _("Only the SPOC or the ICT owner can forward calls."))
rule("incidents.escalate", both(holds(_STAFF), _call_working), _("Only the desk or a technician can escalate calls."))
rule("incidents.chase", both(holds(_STAFF), _call_working), _("Only the desk or a technician can record a chase."))
rule(
    "incidents.supplier_times",
    both(holds(_STAFF), _call_escalated),
    _("Only the desk or a technician can record the supplier's times."),
)
rule("incidents.supplier_reference", _call_worker, _CANNOT_ON_THIS_CALL)
#: a worker may add a note or a reply whatever the call's state; the reporter while it is open or resolved
rule(
    "incidents.reply",
    either(_call_worker, both(_call_reporter, _status_in(_ACTIVE | {_Status.RESOLVED}))),
    _("You cannot update this call."),
)
rule("incidents.wait", both(_call_worker, _call_working, _call_not_waiting), _CANNOT_ON_THIS_CALL)
rule("incidents.resume", both(_call_worker, _call_waiting), _CANNOT_ON_THIS_CALL)
rule("incidents.resolve", both(_call_worker, _call_working), _("Only support staff can resolve calls."))
rule(
    "incidents.confirm",
    both(either(_call_reporter, holds(_DESK)), _status_in({_Status.RESOLVED})),
    _("Only the reporter or the desk can confirm a fix."),
)
rule("incidents.rate", _call_rateable, _("Only the person who reported the call can rate it."))
rule(
    "incidents.reopen",
    both(either(_call_reporter, holds(_STAFF)), _status_in({_Status.RESOLVED, _Status.CLOSED})),
    _("Only the reporter or support staff can reopen a call."),
)
rule(
    "incidents.cancel",
    both(either(_call_reporter, holds(_DESK)), _status_in(_ACTIVE)),
    _("Only the reporter or the desk can cancel a call."),
)
rule(
    "incidents.mark_duplicate",
    both(holds(_DESK), _call_working),
    _("Only the SPOC or the ICT owner can link duplicates."),
)
#: the working side of a call's page: internal notes and their files, impact × urgency
rule("incidents.see_internal", _call_worker)
#: the staff's side of a call's page: the device's record, the call's emails, known errors, outages
rule("incidents.see_staff_side", holds(_STAFF))
#: who a call may be forwarded to: the school's staff
rule("incidents.take_calls", holds(_STAFF))
#: link the ticked calls of a list to a problem or an outage (each link is then the linking service's decision)
rule("incidents.bulk_link", holds(_STAFF))
#: the triage queue
rule("incidents.triage_queue", holds(_DESK))
#: the call list's saved views (a person's own)
rule("incidents.saved_views", holds(_WORKING))


# --- problems ------------------------------------------------------------------------------------------


# --- changes ---------------------------------------------------------------------------------------------


# --- procedures --------------------------------------------------------------------------------------------


# --- standards -------------------------------------------------------------------------------------------


# --- outages ---------------------------------------------------------------------------------------------


# --- replies (saved replies) -------------------------------------------------------------------------


# --- assets ------------------------------------------------------------------------------------------


# --- loans: device loans, the pool, charges -------------------------------------------------------------


# --- licences --------------------------------------------------------------------------------------------


# --- locations -------------------------------------------------------------------------------------------


# --- suppliers: suppliers, contacts, contracts ---------------------------------------------------------


# --- diary: visits, payments -----------------------------------------------------------------------------


# --- budgets ---------------------------------------------------------------------------------------------


# --- safeguarding: the restricted lane, breaches, filtering ------------------------------------------


# --- privacy: subject access, erasure, retention ------------------------------------------------------


# --- mail: mailboxes, intake -----------------------------------------------------------------------------


# --- webhooks --------------------------------------------------------------------------------------------


# --- devicesync: device consoles -------------------------------------------------------------------------


# --- directory: Microsoft 365 / Google Workspace sync ----------------------------------------------------


# --- reports: dashboards, the service report, the audit trail ---------------------------------------------
