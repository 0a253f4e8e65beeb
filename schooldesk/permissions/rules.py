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


# --- changes ---------------------------------------------------------------------------------------------


# --- procedures --------------------------------------------------------------------------------------------


# --- standards -------------------------------------------------------------------------------------------


# --- outages ---------------------------------------------------------------------------------------------


# --- replies (saved replies) -------------------------------------------------------------------------


# --- assets ------------------------------------------------------------------------------------------
from schooldesk.assets.choices import ASSET_DESK_ROLES, ASSET_ROLES  # noqa: E402

ASSET_REGISTER_REFUSED = _("Your role does not include the asset register.")
#: keep the register (the asset, its school, or None: in some school): add, edit, move, status, relate, audit
rule("assets.change", holds(ASSET_ROLES), ASSET_REGISTER_REFUSED)
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

#: lend and take back devices, keep pupils and agreements (the loan, the asset, the pupil or the school)
rule("loans.lend", holds(LOAN_ROLES), _("Only the SPOC, a technician or the ICT owner of the school can lend devices."))


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
from schooldesk.accounts.choices import DESK_ROLES as LOCATION_ROLES  # noqa: E402

#: add, rename, archive, restore and delete a school's locations (the location, or its school): the school's desk
rule("locations.change", holds(LOCATION_ROLES), _("Only the school's desk can change its locations."))


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
