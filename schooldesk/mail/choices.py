from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES

#: who runs the desk's email (mailboxes, held and failed email): the SPOC and the ICT owner of a school, or the
#: same roles across an organisation for its shared mailboxes
MAIL_ROLES = DESK_ROLES
MAIL_ORGANISATION_ROLES = DESK_ROLES
#: who reads every email sent and received about a call: the people who work it
CALL_MAIL_ROLES = STAFF_ROLES


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (only for a server on this machine)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    MICROSOFT = "microsoft", _("Microsoft 365 (OAuth 2)")
    GOOGLE = "google", _("Google Workspace (OAuth 2)")


class SendWith(models.TextChoices):
    INSTALLATION = "installation", _("The installation's mail server")
    MAILBOX = "mailbox", _("This mailbox's own account (SMTP)")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (port 587)")
    SSL = "ssl", _("SSL/TLS (port 465)")
    NONE = "none", _("None (only for a server on this machine)")


OAUTH_METHODS = frozenset({AuthMethod.MICROSOFT, AuthMethod.GOOGLE})


class UnknownSenders(models.TextChoices):
    HOLD = "hold", _("Hold the email for the SPOC to check")
    ACCEPT = "accept", _("Log a call for them as a caller without an account")


class MailKind(models.TextChoices):
    """What wrote the email: a person, or a machine (never answered automatically)."""

    PERSON = "person", _("A person")
    AUTO_REPLY = "auto_reply", _("Automatic reply (out of office)")
    AUTO_GENERATED = "auto_generated", _("Sent by a system")
    BULK = "bulk", _("Bulk or mailing-list mail")
    BOUNCE = "bounce", _("Delivery failure report (bounce)")
    OWN = "own", _("Sent by this desk")


MACHINE_KINDS = frozenset({MailKind.AUTO_REPLY, MailKind.AUTO_GENERATED, MailKind.BULK, MailKind.BOUNCE, MailKind.OWN})


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    PROCESSED = "processed", _("Processed")
    HELD = "held", _("Held for the SPOC")
    FAILED = "failed", _("Could not be processed")
    IGNORED = "ignored", _("Set aside (automatic mail)")
    DISCARDED = "discarded", _("Discarded by the desk")


ATTENTION_STATUSES = frozenset({InboundStatus.HELD, InboundStatus.FAILED})


class InboundAction(models.TextChoices):
    NONE = "", _("–")
    CREATED = "created", _("Logged a new call")
    REPLY = "reply", _("Added to the call")
    REOPENED = "reopened", _("Reopened the call")
    SUPPLIER = "supplier", _("Supplier's update added to the call")
    NOTE = "note", _("Added to the call as a note")


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GIVEN_UP = "given_up", _("Failed, gave up")


class NotificationEvent(models.TextChoices):
    """What a person may choose to receive. Anything not switched off is sent."""

    CALL_LOGGED = "call_logged", _("My call has been logged")
    CALL_UPDATED = "call_updated", _("A reply or a change of status on my call")
    CALL_RESOLVED = "call_resolved", _("My call is resolved: please confirm the fix")
    CALL_ASSIGNED = "call_assigned", _("A call is forwarded to me")
    NEW_CALL = "new_call", _("A new call is logged at a school whose desk I run")
    REPLY_RECEIVED = "reply_received", _("A reply by email arrived on a call I look after")
    SLA_WARNING = "sla_warning", _("A call I look after is about to breach its target")
    MAIL_ATTENTION = "mail_attention", _("Email that could not be processed or is held for me")
    REMINDER_CONTRACT = "reminder_contract", _("Reminders: contract notice dates")
    REMINDER_PAYMENT = "reminder_payment", _("Reminders: payments due")
    REMINDER_LICENCE = "reminder_licence", _("Reminders: licence renewals")
    REMINDER_WARRANTY = "reminder_warranty", _("Reminders: warranties ending")
    REMINDER_DIARY = "reminder_diary", _("Reminders: diary entries I asked to be reminded of")


#: off until the person switches them on (the triage queue is the desk's usual signal)
DEFAULT_OFF = frozenset({NotificationEvent.NEW_CALL})


REMINDER_EVENTS = frozenset(
    {
        NotificationEvent.REMINDER_CONTRACT,
        NotificationEvent.REMINDER_PAYMENT,
        NotificationEvent.REMINDER_LICENCE,
        NotificationEvent.REMINDER_WARRANTY,
        NotificationEvent.REMINDER_DIARY,
    }
)


class Purpose(models.TextChoices):
    """Why a message was sent; each maps to the preference that can switch it off (if any)."""

    CALL_LOGGED = "call_logged", _("Call logged")
    CALL_UPDATED = "call_updated", _("Call updated")
    CALL_RESOLVED = "call_resolved", _("Resolved: please confirm")
    CALL_ASSIGNED = "call_assigned", _("Forwarded to a technician")
    SUPPLIER_ESCALATION = "supplier_escalation", _("Escalation to a supplier")
    REPLY_RECEIVED = "reply_received", _("Reply received")
    SLA_WARNING = "sla_warning", _("SLA about to breach")
    MAIL_ATTENTION = "mail_attention", _("Email needs the desk")
    REMINDER = "reminder", _("Reminder")
    NEW_CALL = "new_call", _("New call for the desk")
    MAILBOX_CONFIRM = "mailbox_confirm", _("Confirm a desk mailbox")
    OUTAGE_RESOLVED = "outage_resolved", _("Outage over")
    APPROVAL_REQUESTED = "approval_requested", _("Approval asked for")


PURPOSE_EVENT = {
    Purpose.CALL_LOGGED: NotificationEvent.CALL_LOGGED,
    Purpose.CALL_UPDATED: NotificationEvent.CALL_UPDATED,
    Purpose.CALL_RESOLVED: NotificationEvent.CALL_RESOLVED,
    Purpose.CALL_ASSIGNED: NotificationEvent.CALL_ASSIGNED,
    Purpose.REPLY_RECEIVED: NotificationEvent.REPLY_RECEIVED,
    Purpose.SLA_WARNING: NotificationEvent.SLA_WARNING,
    Purpose.MAIL_ATTENTION: NotificationEvent.MAIL_ATTENTION,
    Purpose.NEW_CALL: NotificationEvent.NEW_CALL,
}
