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

from schooldesk.accounts.choices import DESK_ROLES, MFA_POLICY_ROLES, PEOPLE_ROLES
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
