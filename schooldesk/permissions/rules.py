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


# --- loans: device loans, the pool, charges -------------------------------------------------------------


# --- licences --------------------------------------------------------------------------------------------


# --- locations -------------------------------------------------------------------------------------------


# --- suppliers: suppliers, contacts, contracts ---------------------------------------------------------


# --- diary: visits, payments -----------------------------------------------------------------------------


# --- budgets ---------------------------------------------------------------------------------------------


# --- safeguarding: the restricted lane, breaches, filtering ------------------------------------------
from schooldesk.accounts.choices import BREACH_ROLES, SAFEGUARDING_ROLES, Role  # noqa: E402 (by section)

# Who sees a restricted call, a breach, a concern or the register is tenancy (`visible_to`, safeguarding/models.py
# and selectors.py); what the DPO and the DSL may do to them is here.
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


def _manages_webhooks(access, user, subscription) -> bool:
    """A school's ICT owner, for the school's own; an organisation's desk, for the organisation's own subscriptions
    and those of each of its schools. Without a subscription: in some school or organisation."""
    schools = access.school_ids(WEBHOOK_ROLES)
    organisations = access.organisation_ids(WEBHOOK_ORGANISATION_ROLES)
    if subscription is None:
        return bool(schools or organisations)
    if subscription.organisation_id:
        return subscription.organisation_id in organisations
    return subscription.school_id in schools or (
        subscription.school_id is not None and subscription.school.organisation_id in organisations
    )


_WEBHOOKS_REFUSED = _("Only the school's ICT owner or the organisation's desk can manage its webhooks.")
rule("webhooks.manage", _manages_webhooks, _WEBHOOKS_REFUSED)  # add or change a subscription; the pages
rule("webhooks.resend", _manages_webhooks, _WEBHOOKS_REFUSED)  # "Send again" a delivery


# --- devicesync: device consoles -------------------------------------------------------------------------
from schooldesk.devicesync.choices import CONSOLE_ORGANISATION_ROLES, CONSOLE_ROLES  # noqa: E402 (by section)


def _manages_consoles(access, user, connection) -> bool:
    """A school's ICT owner, SPOC or technicians, for the school's own connection; an organisation's desk, for the
    organisation's own and those of each of its schools. Without a connection: in some school or organisation."""
    schools = access.school_ids(CONSOLE_ROLES)
    organisations = access.organisation_ids(CONSOLE_ORGANISATION_ROLES)
    if connection is None:
        return bool(schools or organisations)
    if connection.organisation_id:
        return connection.organisation_id in organisations
    return connection.school_id in schools or (
        connection.school_id is not None and connection.school.organisation_id in organisations
    )


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


def _manages_directory(access, user, connection) -> bool:
    """A school's ICT owner, for the school's own connection; an organisation's desk, for the organisation's own
    and those of each of its schools. Without a connection: in some school or organisation."""
    schools = access.school_ids(DIRECTORY_ROLES)
    organisations = access.organisation_ids(DIRECTORY_ORGANISATION_ROLES)
    if connection is None:
        return bool(schools or organisations)
    if connection.organisation_id:
        return connection.organisation_id in organisations
    return connection.school_id in schools or (
        connection.school_id is not None and connection.school.organisation_id in organisations
    )


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
