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

from schooldesk.accounts.choices import (
    AUDIT_ROLES,
    DESK_ROLES,
    MFA_POLICY_ROLES,
    PEOPLE_ROLES,
    REPORT_ROLES,
    SAFEGUARDING_ROLES,
    STAFF_ROLES,
    Role,
)
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


# The menu's (accounts/context_processors.py) and the home page's questions that belong to other apps' sections:
# here until their sections hold them (the lead moves them; a name is registered once).
def _or_organisation_desk(roles):
    """One of `roles` in the object's school (in some school), or a desk role across an organisation."""
    in_school = holds(roles)

    def test(access, user, obj) -> bool:
        return in_school(access, user, obj) or any(held & DESK_ROLES for held in access.roles_by_organisation.values())

    return test


#: the triage queue (the desk's counts on the home page)
rule("incidents.triage", holds(DESK_ROLES))
#: work every call of the school: the calls assigned to me, outages, problems, changes, the register
rule("incidents.work", holds(STAFF_ROLES))
#: a provider's calls escalated to their supplier
rule("incidents.escalated", holds({Role.PROVIDER}))
#: safeguarding concerns
rule("safeguarding.concern_view", holds(SAFEGUARDING_ROLES))
#: webhooks: a school's ICT owner, or an organisation's desk (webhooks.models.manager_scope)
rule("webhooks.manage", _or_organisation_desk({Role.OWNER}))
#: device consoles: the school's ICT owner, SPOC and technicians, or an organisation's desk
rule("devicesync.manage", _or_organisation_desk(STAFF_ROLES))


# --- schools: the school's settings, terms, categories ----------------------------------------------
#: the school's settings page: its settings, priorities, terms, closures and call categories
rule("schools.change", holds(DESK_ROLES))


# --- incidents: calls --------------------------------------------------------------------------------


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
# The header's search asks these of each kind of record (reports/search.py); they belong to their apps' sections
# (here until those hold them; the lead moves them; a name is registered once). The role sets are the apps' own
# (assets/changes/problems.choices: STAFF_ROLES; licences.choices, suppliers.models: STAFF_ROLES and viewers).
rule("assets.view", holds(STAFF_ROLES))
rule("licences.view", holds(STAFF_ROLES | {Role.VIEWER}))
rule("suppliers.view", holds(STAFF_ROLES | {Role.VIEWER}))
rule("problems.view", holds(STAFF_ROLES))
rule("changes.view", holds(STAFF_ROLES))
