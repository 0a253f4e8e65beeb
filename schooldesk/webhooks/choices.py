from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, Role

#: who manages a school's webhooks: its ICT owner; an organisation's desk (SPOC or ICT owner across it) manages
#: the organisation's own and those of each of its schools
WEBHOOK_ROLES = frozenset({Role.OWNER})
WEBHOOK_ORGANISATION_ROLES = DESK_ROLES


class WebhookEvent(models.TextChoices):
    CALL_CREATED = "call.created", _("A call is logged")
    PRIORITY_P1 = "call.priority_p1", _("A call is priority P1")
    STATUS_CHANGED = "call.status_changed", _("A call's status changes")
    ESCALATED = "call.escalated", _("A call is escalated to a supplier")
    SLA_BREACHED = "call.sla_breached", _("A call misses its target")
    CONTRACT_NOTICE_DUE = "contract.notice_due", _("A contract's notice date is near")
    ASSET_CHANGED = "asset.changed", _("An asset changes")
    LICENCE_UNDER_LICENSED = "licence.under_licensed", _("A licence is under-licensed")


class TargetKind(models.TextChoices):
    GENERIC = "generic", _("Your own system (signed JSON)")
    TEAMS = "teams", _("Microsoft Teams incoming webhook (a card)")
    SLACK = "slack", _("Slack-compatible incoming webhook (a message)")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    FAILED = "failed", _("Failed: will try again")
    DELIVERED = "delivered", _("Delivered")
    GIVEN_UP = "given_up", _("Given up")
