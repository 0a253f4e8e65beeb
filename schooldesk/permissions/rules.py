"""Who may do what in SchoolDesk: every rule, in one module, one per action.

Read it as a table: the action's name, who may do it, and what a refusal says. The services refuse with
`require(by, name, obj)`, the views offer with `can(user, name, obj)` and the templates show with
`{% can name obj as var %}` (the mechanism: core/permissions.py; docs/decisions/0036). A rule reads only the
person's roles (core/access.py) and the object's own fields; the role sets come from each app's `choices.py`.
Where `obj` is None the question is "in some school" (the menu, a list's "Add" button).

What a person may *see* is tenancy, not a rule here: `visible_to` (core/scoping.py) answers it, with the
`visible_roles` a model names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.choices import MFA_POLICY_ROLES, PEOPLE_ROLES
from schooldesk.core.permissions import rule, school_id_of
from schooldesk.core.roles import AUDIT_ROLES, DESK_ROLES, REPORT_ROLES, SAFEGUARDING_ROLES, STAFF_ROLES, Role


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


def owned_by_school_or_organisation(school_roles, organisation_roles):
    """A record owned by a school or by an organisation (a connection, a subscription): one of `school_roles` in
    the school, for the school's own; one of `organisation_roles` across the organisation, for the organisation's
    own and those of each of its schools. Without a record: in some school or organisation."""
    school_roles, organisation_roles = frozenset(school_roles), frozenset(organisation_roles)

    def test(access, user, record) -> bool:
        schools = access.school_ids(school_roles)
        organisations = access.organisation_ids(organisation_roles)
        if record is None:
            return bool(schools or organisations)
        if record.organisation_id:
            return record.organisation_id in organisations
        return record.school_id in schools or (
            record.school_id is not None and record.school.organisation_id in organisations
        )

    return test


# --- accounts: people, roles, sign-in ------------------------------------------------------------
def _superuser_for_a_school(access, user, obj) -> bool:
    """An administrator of the whole system, asked about one school (the People pages open on a role)."""
    return access.is_superuser and obj is not None


def _desk_of_connection(access, user, connection) -> bool:
    """The desk of a sign-in connection's school, or across its organisation (None: in some school)."""
    if connection is None:
        return access.any_role(DESK_ROLES)
    if connection.school_id:
        return access.has_role(connection.school_id, DESK_ROLES)
    organisation_id = getattr(connection, "organisation_id", None)
    return bool(organisation_id and access.roles_by_organisation.get(organisation_id, frozenset()) & DESK_ROLES)


def _officer_of(access, user, organisation) -> bool:
    """A desk role held across the whole organisation (an LA's or trust's officer), or the system's administrator."""
    organisation_id = getattr(organisation, "pk", organisation)
    return access.is_superuser or bool(access.roles_by_organisation.get(organisation_id, frozenset()) & PEOPLE_ROLES)


#: the People pages, and giving, taking away and marking leavers in a school (the ranks are the service's own)
rule(
    "accounts.people_manage",
    either(holds(PEOPLE_ROLES), _superuser_for_a_school),
    _("You do not run the desk of this school."),
)
#: change a person who holds a role across an organisation (its officer only)
rule(
    "accounts.people_manage_organisation",
    _officer_of,
    _("This person holds a role across an organisation: ask its officer."),
)
#: the sign-in with Microsoft or Google settings (a connection, or None for the pages)
rule(
    "accounts.sign_in_change",
    _desk_of_connection,
    _("Only the SPOC or the ICT owner can change how the school signs in."),
)
#: who must use two-step sign-in, for an organisation
rule(
    "accounts.mfa_policy",
    holds_for_organisation(MFA_POLICY_ROLES),
    _("Only the organisation's ICT owner sets who must use two-step sign-in."),
)


# --- schools: the school's settings, terms, categories ----------------------------------------------
#: the school's settings page: its settings, priorities, terms, closures and call categories
rule("schools.change", holds(DESK_ROLES))


# --- incidents: calls --------------------------------------------------------------------------------
# A call's actions: who may take them, and in which of the call's states the call page offers them. The services
# check a state they can name first (a ValidationError: "INC-000012 is resolved; reopen it first."), then refuse
# with the rule, so the page offers exactly what the service accepts (schooldesk/incidents/actions.py).
from django.utils import timezone as _timezone  # noqa: E402

from schooldesk.core.roles import DESK_ROLES as _DESK  # noqa: E402 (by section)
from schooldesk.core.roles import STAFF_ROLES as _STAFF  # noqa: E402 (by section)
from schooldesk.core.roles import Role as _Role  # noqa: E402 (by section)
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
#: work every call of the school (the menu: the calls assigned to me, outages, problems, changes, the register)
rule("incidents.work", holds(STAFF_ROLES))
#: a provider's calls escalated to their supplier (the menu)
rule("incidents.escalated", holds({Role.PROVIDER}))
#: the call list's saved views (a person's own)
rule("incidents.saved_views", holds(_WORKING))


# --- problems ------------------------------------------------------------------------------------------
from schooldesk.problems.choices import CANDIDATE_SETTINGS_ROLES, PROBLEM_REPORT_ROLES, PROBLEM_ROLES  # noqa: E402

PROBLEM_ROLE_REFUSED = _("Only the service desk and technicians work on problems.")

#: see the problems (in some school: the menu, the search)
rule("problems.view", holds(PROBLEM_ROLES))

#: a school (a call it is raised from); None: in some school (the list's "Raise a problem")
rule("problems.create", holds(PROBLEM_ROLES), PROBLEM_ROLE_REFUSED)
#: a problem: edit it, add notes, link and unlink calls, set its status, record a known error, resolve, close;
#: None: the problem pages themselves
rule("problems.change", holds(PROBLEM_ROLES), PROBLEM_ROLE_REFUSED)
#: a call: give it a known error's workaround (the problem's own school's call)
rule("problems.give_workaround", holds(PROBLEM_ROLES), PROBLEM_ROLE_REFUSED)
#: a school: when repeat calls become a problem candidate
rule(
    "problems.settings",
    holds(CANDIDATE_SETTINGS_ROLES),
    _("Only the SPOC or the ICT owner can change when calls become a candidate."),
)
#: the problem report (None: of some school)
rule("problems.report", holds(PROBLEM_REPORT_ROLES))


# --- changes ---------------------------------------------------------------------------------------------
from schooldesk.changes.choices import (  # noqa: E402
    AUTHORISE_ROLES as CHANGE_AUTHORISE_ROLES,
)
from schooldesk.changes.choices import CHANGE_DESK_ROLES, CHANGE_REPORT_ROLES, CHANGE_ROLES, PROGRESS_ROLES  # noqa: E402

CHANGE_ROLE_REFUSED = _("Only the service desk and technicians work on requests for change.")

#: see the requests for change (in some school: the menu, the search)
rule("changes.view", holds(CHANGE_ROLES))

#: a school (a call it is raised from); None: in some school (the list's "Raise a request for change")
rule("changes.create", holds(CHANGE_ROLES), CHANGE_ROLE_REFUSED)
#: a change: edit, submit, withdraw and plan it, work its milestones; None: the change pages themselves
rule("changes.change", holds(CHANGE_ROLES), CHANGE_ROLE_REFUSED)
#: a change: authorise or reject it
rule(
    "changes.decide",
    holds(CHANGE_AUTHORISE_ROLES),
    _("Only the ICT owner can authorise or reject a request for change."),
)
#: a change: record its implementation (which updates the asset register and licence list)
rule(
    "changes.complete",
    holds(CHANGE_DESK_ROLES),
    _("Only the SPOC or the ICT owner complete a change: it updates the asset register and licence list."),
)
#: a change: its post-implementation review
rule("changes.review", holds(CHANGE_DESK_ROLES), _("Only the SPOC or the ICT owner review a change."))
#: a school or a standard change: pre-authorise standard changes
rule("changes.standard", holds(CHANGE_AUTHORISE_ROLES), _("Only the ICT owner can pre-authorise standard changes."))
#: the progress page (implementations and problem solutions)
rule("changes.progress", holds(PROGRESS_ROLES))
#: the change report (None: of some school)
rule("changes.report", holds(CHANGE_REPORT_ROLES))


# --- procedures --------------------------------------------------------------------------------------------
from schooldesk.procedures.choices import AUTHORISE_ROLES as PROCEDURE_AUTHORISE_ROLES  # noqa: E402
from schooldesk.procedures.choices import PROPOSE_ROLES as PROCEDURE_PROPOSE_ROLES  # noqa: E402

#: a school or a procedure: propose a new procedure or a change to one, withdraw a proposal, read the proposals
rule(
    "procedures.propose",
    holds(PROCEDURE_PROPOSE_ROLES),
    _("Only the SPOC or the ICT owner can propose procedures."),
)
#: a procedure: authorise its proposal (it is in force at once) or turn it down
rule(
    "procedures.decide",
    holds(PROCEDURE_AUTHORISE_ROLES),
    _("Only the ICT owner can authorise changes to procedures."),
)


# --- standards -------------------------------------------------------------------------------------------
from schooldesk.standards.choices import (  # noqa: E402
    CHECK_EDIT_ROLES,
    CHECK_READ_ROLES,
    CHECK_ROLES,
    REVIEW_ROLES,
    STANDARDS_VIEW_ROLES,
    STATEMENT_ROLES,
)

#: a check (or its school): record it as done; None: the checklist itself
rule("standards.check", holds(CHECK_ROLES), _("Only the school's technicians and desk can record checks."))
#: a check and its evidence: open them
rule("standards.read_check", holds(CHECK_READ_ROLES))
#: a scheduled check (or its school): add or change the schedule
rule("standards.schedule", holds(CHECK_EDIT_ROLES), _("Only the SPOC or the ICT owner can change the schedule."))
#: a school: its standards page, the matrix, the annual review (to read)
rule("standards.view", holds(STANDARDS_VIEW_ROLES))
#: a school: make a statement about a part
rule("standards.state", holds(STATEMENT_ROLES), _("Only the ICT owner or the SPOC can make a statement."))
#: a school: choose the month of its annual review
rule("standards.review_month", holds(REVIEW_ROLES), _("Only the ICT owner can choose the review month."))
#: a school or its review: write the annual review
rule("standards.review_write", holds(REVIEW_ROLES), _("Only the ICT owner writes the annual review."))
#: a review: sign it off
rule("standards.review_sign", holds(REVIEW_ROLES), _("Only the ICT owner signs off the annual review."))
#: a review: open it again
rule("standards.review_reopen", holds(REVIEW_ROLES), _("Only the ICT owner reopens the annual review."))


# --- outages ---------------------------------------------------------------------------------------------
from schooldesk.outages.choices import APPROVER_ROLES, CATEGORY_APPROVAL_ROLES, OUTAGE_ROLES  # noqa: E402


def _outage_school_ids(outage) -> list[int]:
    return [row.school_id for row in outage.affected_schools.all()]


def _runs_outage(access, user, obj) -> bool:
    """The desk of every school the outage affects (of some school, without one)."""
    if obj is None:
        return access.any_role(OUTAGE_ROLES)
    school_ids = _outage_school_ids(obj)
    return bool(school_ids) and all(access.has_role(s, OUTAGE_ROLES) for s in school_ids)


def _at_outage_school(access, user, obj) -> bool:
    """Any role in one of the schools the outage affects."""
    return any(s in access.roles_by_school for s in _outage_school_ids(obj))


def _decides_approval(access, user, obj) -> bool:
    """The approver the school named; without one, the school's ICT owner."""
    if obj is not None and obj.approver_id:
        return user.pk == obj.approver_id
    return holds(APPROVER_ROLES)(access, user, obj)


#: a school (declared for each school chosen), a call it is declared from; None: in some school
rule("outages.declare", holds(OUTAGE_ROLES), _("Only the service desk can declare an outage for these schools."))
#: the outage: resolve it (and, on its page, link calls to it)
rule(
    "outages.resolve",
    _runs_outage,
    _("Only the service desk of every school it affects can resolve this outage."),
)
#: a call, linked to an outage of its school
rule("outages.link", holds(OUTAGE_ROLES))
#: the outage: see the calls linked to it and the people affected (the desk of one of its schools)
rule(
    "outages.see_people",
    lambda access, user, obj: any(access.has_role(s, OUTAGE_ROLES) for s in _outage_school_ids(obj)),
)
#: "I'm affected" (the outage)
rule("outages.affected", _at_outage_school, _("This outage is not at your school."))
#: the approval of a request
rule("outages.decide", _decides_approval, _("Only the school's approver can decide this request."))
#: a category of the school: needs approval, or no longer does
rule("outages.category_approval", holds(CATEGORY_APPROVAL_ROLES), _("Only the service desk can change the categories."))


# --- replies (saved replies) -------------------------------------------------------------------------
from schooldesk.replies.choices import MANAGE_ROLES as REPLY_MANAGE_ROLES  # noqa: E402
from schooldesk.replies.choices import USE_ROLES as REPLY_USE_ROLES  # noqa: E402


def _holds_across_organisation(roles):
    """One of `roles` held across the whole organisation itself (a Membership with the organisation, not a school's):
    `obj` an Organisation, its id, or a record shared by it (its `organisation_id`); in some organisation if None."""
    roles = frozenset(roles)

    def test(access, user, obj) -> bool:
        held = {org for org, have in access.roles_by_organisation.items() if have & roles}
        if obj is None:
            return bool(held)
        if isinstance(obj, int):
            return obj in held
        organisation_id = obj.pk if obj.__class__.__name__ == "Organisation" else obj.organisation_id
        return organisation_id in held

    return test


def _reply_is_shared(obj) -> bool:
    return obj.__class__.__name__ == "CannedReply" and obj.organisation_id is not None


#: a reply the organisation shares (or, for a new one, the organisation); None: in some organisation
rule(
    "replies.share",
    _holds_across_organisation(REPLY_MANAGE_ROLES),
    _("Only the organisation's own SPOC or ICT owner can change its shared replies."),
)
#: a school's reply (or, for a new one, the school), or any reply: a shared one is the organisation's
#: ("replies.share"); None: in some school (the list page, "Add a reply")
rule(
    "replies.change",
    lambda access, user, obj: (
        _holds_across_organisation(REPLY_MANAGE_ROLES)(access, user, obj)
        if _reply_is_shared(obj)
        else holds(REPLY_MANAGE_ROLES)(access, user, obj)
    ),
    _("Only the school's SPOC or ICT owner can change its replies."),
)
#: insert the saved replies on a call (the call)
rule("replies.use", holds(REPLY_USE_ROLES))


# --- assets ------------------------------------------------------------------------------------------
from schooldesk.assets.choices import ASSET_DESK_ROLES, ASSET_ROLES  # noqa: E402

ASSET_REGISTER_REFUSED = _("Your role does not include the asset register.")
#: keep the register (the asset, its school, or None: in some school): add, edit, move, status, relate, audit
rule("assets.change", holds(ASSET_ROLES), ASSET_REGISTER_REFUSED)
#: see the register (in some school: the menu, the search)
rule("assets.view", holds(ASSET_ROLES))
#: the school's asset types (the type, or its school)
rule("assets.change_types", holds(ASSET_DESK_ROLES), ASSET_REGISTER_REFUSED)
#: record a disposal (the asset)
rule("assets.dispose", holds(ASSET_DESK_ROLES), _("Only the SPOC or the ICT owner can record a disposal."))
#: move or re-status several assets at once (a school)
rule("assets.bulk", holds(ASSET_DESK_ROLES), _("Only the SPOC or the ICT owner can change several assets at once."))
#: print the labels of a school's rooms (the school)
rule("assets.room_labels", holds(ASSET_DESK_ROLES))
#: import a spreadsheet of assets (the school, or the import)
rule("assets.import", holds(ASSET_DESK_ROLES), _("Only the SPOC or the ICT owner can import assets."))


# --- loans: device loans, the pool, charges -------------------------------------------------------------
from schooldesk.loans.choices import LOAN_ROLES  # noqa: E402
from schooldesk.loans.choices_pool import CHARGE_ROLES, POOL_ROLES, POOL_SETTINGS_ROLES  # noqa: E402

#: lend and take back devices, keep pupils and agreements (the loan, the asset, the pupil or the school)
rule("loans.lend", holds(LOAN_ROLES), _("Only the SPOC, a technician or the ICT owner of the school can lend devices."))
#: the loaner pool: see it, add loaners, swap a loaner in and back (the loan, the asset, the swap or the school)
rule("loans.pool", holds(POOL_ROLES), _("Your role does not include the loaner pool."))
#: the pool's settings (the pool, or its school)
rule(
    "loans.pool_settings",
    holds(POOL_SETTINGS_ROLES),
    _("Only the SPOC or the ICT owner can change the pool's settings."),
)
#: raise, change, settle and export charges for damage and loss (the charge, the loan or the school)
rule("loans.charge", holds(CHARGE_ROLES), _("Only the SPOC or the ICT owner can raise and change charges."))


# --- licences --------------------------------------------------------------------------------------------
from schooldesk.licences.choices import LICENCE_DESK_ROLES, LICENCE_KEY_ROLES, LICENCE_VIEW_ROLES  # noqa: E402

#: read the licence list, a licence's page, the compliance page (the licence, its school, or None: in some school)
rule("licences.view", holds(LICENCE_VIEW_ROLES))
#: add, edit and delete licences (the licence, or its school)
rule("licences.change", holds(LICENCE_DESK_ROLES), _("Only the SPOC or the ICT owner can change the licence list."))
#: allocate seats and record installations, by hand or from an inventory tool's file (the licence, or the school)
rule("licences.allocate", holds(LICENCE_KEY_ROLES), _("Your role does not include the licence list."))
#: see a licence's key and download its proof of purchase (the licence)
rule("licences.see_key", holds(LICENCE_KEY_ROLES))


# --- locations -------------------------------------------------------------------------------------------
from schooldesk.core.roles import DESK_ROLES as LOCATION_ROLES  # noqa: E402 (by section)

#: add, rename, archive, restore and delete a school's locations (the location, or its school): the school's desk
rule("locations.change", holds(LOCATION_ROLES), _("Only the school's desk can change its locations."))


# --- suppliers: suppliers, contacts, contracts ---------------------------------------------------------
from schooldesk.suppliers.choices import CONTRACT_ROLES, SUPPLIER_DESK_ROLES  # noqa: E402


def _supplier_organisation(obj) -> int | None:
    """The organisation whose shared record `obj` is: a supplier's, a contact's or a suggestion's (through its
    supplier), an organisation itself, or its id."""
    if obj is None or isinstance(obj, int):
        return obj
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    if hasattr(obj, "supplier_id"):
        return obj.supplier.organisation_id
    return obj.pk


def _officer_of_organisation(access, user, obj) -> bool:
    """An officer of the record's organisation (a desk role across it, or in a stand-alone school's own); in some
    organisation when there is no record."""
    managed = access.organisations_managed(SUPPLIER_DESK_ROLES)
    organisation_id = _supplier_organisation(obj)
    return bool(managed) if organisation_id is None else organisation_id in managed


def _desk_in_organisation(access, user, obj) -> bool:
    """The desk of a school of the supplier's organisation (in some school when there is no supplier)."""
    school_ids = access.school_ids(SUPPLIER_DESK_ROLES)
    if obj is None:
        return bool(school_ids)
    return obj.organisation.schools.filter(pk__in=school_ids).exists()


def _desk_of_every_sharing_school(access, user, obj) -> bool:
    """The desk of every school sharing the contract (`obj` a contract, or the ids of the schools it is to be shared
    by); in some school when there is none."""
    if obj is None:
        return access.any_role(SUPPLIER_DESK_ROLES)
    if hasattr(obj, "shares"):
        school_ids = [share.school_id for share in obj.shares.all()] if obj.pk else []
    else:
        school_ids = list(obj)
    return bool(school_ids) and all(access.has_role(school_id, SUPPLIER_DESK_ROLES) for school_id in school_ids)


#: read suppliers and contracts (the pages, the API)
rule("suppliers.view", holds(CONTRACT_ROLES))
#: add and change an organisation's shared suppliers and their contacts, decide a school's suggestion (the supplier,
#: the contact, the suggestion or the organisation)
rule(
    "suppliers.change",
    _officer_of_organisation,
    _("Only the organisation's officers change its shared suppliers; suggest a change instead."),
)
#: suggest a change to the organisation's shared supplier or contact (the supplier)
rule(
    "suppliers.suggest",
    _desk_in_organisation,
    _("Only the SPOC or ICT owner of a school of this organisation can suggest a change."),
)
#: add a contract with the supplier (the supplier)
rule("suppliers.add_contract", _desk_in_organisation)
#: change a contract, decide its renewal, add its documents and payments (the contract, or its schools' ids)
rule(
    "suppliers.manage_contract",
    _desk_of_every_sharing_school,
    _("Only the SPOC or ICT owner of every school sharing this contract can change it."),
)


# --- diary: visits, payments -----------------------------------------------------------------------------
from schooldesk.diary.choices import DIARY_DESK_ROLES, PAYMENT_ROLES, VISIT_ROLES  # noqa: E402

#: add, change and remove a school's diary entries (the entry, or its school)
rule("diary.change", holds(DIARY_DESK_ROLES), _("Only the SPOC or ICT owner can change the diary."))
#: work a visit's sheet: what was done on each call (the visit's entry)
rule("diary.work_visit", holds(VISIT_ROLES), _("Only the school's technicians and desk can work a visit sheet."))
#: complete a visit (the visit's entry)
rule("diary.complete_visit", holds(VISIT_ROLES), _("Only the school's technicians and desk can complete a visit."))
#: see the school's payments (the payment, an entry, or the school)
rule("diary.see_payments", holds(PAYMENT_ROLES))
#: schedule a payment by hand, change it (the payment, or its school)
rule("diary.schedule_payment", holds(DIARY_DESK_ROLES), _("Only the SPOC or ICT owner can schedule payments."))
#: record that a payment was paid (the payment)
rule("diary.record_payment", holds(DIARY_DESK_ROLES), _("Only the SPOC or ICT owner can record payments."))
#: remove a payment (the payment)
rule("diary.remove_payment", holds(DIARY_DESK_ROLES), _("Only the SPOC or ICT owner can remove payments."))
#: schedule a contract's payments for its current term (the contract)
rule(
    "diary.schedule_payments",
    _desk_of_every_sharing_school,
    _("Only the SPOC or ICT owner of every school sharing this contract can schedule its payments."),
)


# --- budgets ---------------------------------------------------------------------------------------------
from schooldesk.budgets.choices import BUDGET_SET_ROLES, BUDGET_VIEW_ROLES  # noqa: E402

#: read the budget against spend (the school, or None: in some school)
rule("budgets.view", holds(BUDGET_VIEW_ROLES), _("Only the ICT owner, the desk and governors read the budget."))
#: set a school's budget lines (the school)
rule("budgets.set", holds(BUDGET_SET_ROLES), _("Only the ICT owner can set the budget."))


# --- safeguarding: the restricted lane, breaches, filtering ------------------------------------------
from schooldesk.core.roles import BREACH_ROLES, Role  # noqa: E402 (by section)

# Who sees a restricted call, a breach, a concern or the register is tenancy (`visible_to`, safeguarding/models.py
# and selectors.py); what the DPO and the DSL may do to them is here.
#: the safeguarding concerns (the menu)
rule("safeguarding.concern_view", holds(SAFEGUARDING_ROLES))
rule("safeguarding.breach_record", holds(BREACH_ROLES), _("Only the DPO or the ICT owner can record a breach."))
rule("safeguarding.concern_act", holds(SAFEGUARDING_ROLES), _("Only the DSL or the ICT owner can record actions."))
rule(
    "safeguarding.concern_close",
    holds(SAFEGUARDING_ROLES),
    _("Only the DSL or the ICT owner can record the outcome."),
)
rule("safeguarding.filter_request", holds(frozenset(Role)), _("You are not a member of this school."))
rule(
    "safeguarding.filter_decide",
    holds(SAFEGUARDING_ROLES),
    _("Only the DSL or the ICT owner can decide filtering changes."),
)
rule(
    "safeguarding.review_start",
    holds(SAFEGUARDING_ROLES),
    _("Only the DSL or the ICT owner can start the review."),
)


def _signs_as_dsl(access, user, review) -> bool:
    """The DSL signs a review once (as the DSL)."""
    return holds({Role.DSL})(access, user, review) and (review is None or review.dsl_signed_at is None)


def _signs_as_governor(access, user, review) -> bool:
    """A governor (a viewer of the school) signs a review once (as the governor)."""
    return holds({Role.VIEWER})(access, user, review) and (review is None or review.governor_signed_at is None)


_NO_SIGNATURE = _("This review does not wait for your signature.")
rule("safeguarding.review_sign_as_dsl", _signs_as_dsl, _NO_SIGNATURE)
rule("safeguarding.review_sign_as_governor", _signs_as_governor, _NO_SIGNATURE)
rule("safeguarding.review_sign", either(_signs_as_dsl, _signs_as_governor), _NO_SIGNATURE)


# --- privacy: subject access, erasure, retention ------------------------------------------------------
from schooldesk.privacy.choices import PRIVACY_ROLES  # noqa: E402 (by section)

# the DPO, and the ICT owner who may help (docs/decisions/0024)
rule("privacy.request", holds(PRIVACY_ROLES))  # record a subject access request, choose its person, exempt, answer
rule("privacy.erase", holds(PRIVACY_ROLES))  # pseudonymise the request's person
rule("privacy.retention", holds(PRIVACY_ROLES))  # a school's retention schedule


# --- mail: mailboxes, intake -----------------------------------------------------------------------------
from schooldesk.mail.choices import CALL_MAIL_ROLES, MAIL_ORGANISATION_ROLES, MAIL_ROLES  # noqa: E402 (by section)


def _runs_the_mail(access, user, obj) -> bool:
    """The desk's SPOC or ICT owner in the school of `obj` (a mailbox, an email, a call, a school); for a mailbox
    shared by an organisation's schools, and its email not yet matched to a school, the same roles held across the
    organisation. Without an object: in some school."""
    if obj is None:
        return access.any_role(MAIL_ROLES)
    school_id = school_id_of(obj)
    if school_id is not None:
        return access.has_role(school_id, MAIL_ROLES)
    organisation_id = getattr(obj, "organisation_id", None)
    if organisation_id is None and getattr(obj, "mailbox_id", None) is not None:
        organisation_id = obj.mailbox.organisation_id  # an email in a shared mailbox, not yet matched to a school
    return organisation_id is not None and organisation_id in access.organisation_ids(MAIL_ORGANISATION_ROLES)


def _runs_a_desk(access, user, obj) -> bool:
    """The desk's roles in some school, or across an organisation (the emails only a desk receives)."""
    return access.any_role(MAIL_ROLES) or bool(access.organisation_ids(MAIL_ORGANISATION_ROLES))


_MAIL_REFUSED = _("Only the SPOC or the ICT owner can manage the desk's email.")
rule("mail.manage", _runs_the_mail, _MAIL_REFUSED)  # add, change, check, confirm, authorise a mailbox; the pages
rule("mail.handle", _runs_the_mail, _MAIL_REFUSED)  # retry, accept or discard a held or failed email; the pages
rule("mail.desk_emails", _runs_a_desk)  # choose the emails only a desk receives (a new call)
rule("mail.read_call", holds(CALL_MAIL_ROLES))  # every email sent and received about a call


# --- webhooks --------------------------------------------------------------------------------------------
from schooldesk.webhooks.choices import WEBHOOK_ORGANISATION_ROLES, WEBHOOK_ROLES  # noqa: E402 (by section)

_manages_webhooks = owned_by_school_or_organisation(WEBHOOK_ROLES, WEBHOOK_ORGANISATION_ROLES)


_WEBHOOKS_REFUSED = _("Only the school's ICT owner or the organisation's desk can manage its webhooks.")
rule("webhooks.manage", _manages_webhooks, _WEBHOOKS_REFUSED)  # add or change a subscription; the pages
rule("webhooks.resend", _manages_webhooks, _WEBHOOKS_REFUSED)  # "Send again" a delivery


# --- devicesync: device consoles -------------------------------------------------------------------------
from schooldesk.devicesync.choices import CONSOLE_ORGANISATION_ROLES, CONSOLE_ROLES  # noqa: E402 (by section)

_manages_consoles = owned_by_school_or_organisation(CONSOLE_ROLES, CONSOLE_ORGANISATION_ROLES)


_CONSOLES_REFUSED = _(
    "Only the school's ICT owner, SPOC or technicians, or the organisation's desk, can manage its device consoles."
)
rule("devicesync.manage", _manages_consoles, _CONSOLES_REFUSED)  # add or change a connection; the pages
rule("devicesync.test", _manages_consoles, _CONSOLES_REFUSED)  # "Test the connection"
rule("devicesync.sync", _manages_consoles, _CONSOLES_REFUSED)  # "Sync now"


# --- directory: Microsoft 365 / Google Workspace sync ----------------------------------------------------
from schooldesk.directory.choices import (  # noqa: E402 (by section)
    DIRECTORY_ORGANISATION_ROLES,
    DIRECTORY_READER_ROLES,
    DIRECTORY_ROLES,
)

_manages_directory = owned_by_school_or_organisation(DIRECTORY_ROLES, DIRECTORY_ORGANISATION_ROLES)


def _adds_rooms(access, user, connection) -> bool:
    """A room read from a school's own connection becomes one of the school's locations (an organisation's
    connection has no school to add it to)."""
    return connection is None or (connection.school_id is not None and _manages_directory(access, user, connection))


_DIRECTORY_REFUSED = _("Only the school's ICT owner or the organisation's desk manages this connection.")
rule("directory.manage", _manages_directory, _DIRECTORY_REFUSED)  # add or change a connection; the pages
rule("directory.test", _manages_directory, _DIRECTORY_REFUSED)  # "Test the connection"
rule("directory.sync", _manages_directory, _DIRECTORY_REFUSED)  # "Sync now"
rule(
    "directory.add_room",
    both(_manages_directory, _adds_rooms),
    _("Only the school's ICT owner or the organisation's desk adds locations here."),
)
rule(  # the list of connections and the reports: those who manage them, and the SPOCs of a school
    "directory.read",
    either(_manages_directory, holds(DIRECTORY_READER_ROLES)),
    _("Your role does not include directory sync."),
)


# --- reports: dashboards, the service report, the audit trail ---------------------------------------------
#: the reports (incident and service reports, the head's and governors' figures) and their API
rule("reports.view", holds(REPORT_ROLES), _("Your role does not include reports."))
#: the audit trail of a school
rule("reports.audit", holds(AUDIT_ROLES))
#: each role's dashboard (the LA's or trust's "All schools" also needs two schools: reports/dashboards.py)
rule("reports.dashboard_desk", holds(DESK_ROLES))
rule("reports.dashboard_technician", holds(STAFF_ROLES))
rule("reports.dashboard_owner", holds({Role.OWNER}))
rule("reports.dashboard_governors", holds(REPORT_ROLES))
rule("reports.dashboard_schools", holds(REPORT_ROLES))
