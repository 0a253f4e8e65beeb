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


# --- problems ------------------------------------------------------------------------------------------
from schooldesk.problems.choices import CANDIDATE_SETTINGS_ROLES, PROBLEM_REPORT_ROLES, PROBLEM_ROLES  # noqa: E402

PROBLEM_ROLE_REFUSED = _("Only the service desk and technicians work on problems.")

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
