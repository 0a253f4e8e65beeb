from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.roles import DESK_ROLES, STAFF_ROLES

#: see the register, move, issue and return equipment (technicians walk the building)
ASSET_ROLES = STAFF_ROLES
#: import, bulk changes, labels, the list of types: the desk keeps the register
ASSET_DESK_ROLES = DESK_ROLES

REFERENCE_PREFIX = "AST-"

#: every school starts with these types; the SPOC adds or archives their own
DEFAULT_ASSET_TYPES = [
    "Desktop",
    "Laptop",
    "Chromebook",
    "Tablet",
    "Interactive panel or whiteboard",
    "Projector",
    "Visualiser",
    "Printer",
    "Server",
    "Switch",
    "Router",
    "Access point",
    "Phone",
    "Camera",
    "Other",
]


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    SPARE = "spare", _("Spare")
    IN_REPAIR = "in_repair", _("In repair")
    ON_LOAN = "on_loan", _("On loan")
    RETIRED = "retired", _("Retired")
    DISPOSED = "disposed", _("Disposed")


#: kit that is still in school and expected to be found in its room
PRESENT_STATUSES = frozenset({AssetStatus.IN_USE, AssetStatus.SPARE, AssetStatus.IN_REPAIR})
#: kit that is gone for good: not offered when a fault is reported, not expected in an audit
GONE_STATUSES = frozenset({AssetStatus.RETIRED, AssetStatus.DISPOSED})


class DisposalMethod(models.TextChoices):
    WEEE = "weee", _("Recycled (WEEE contractor)")
    RESOLD = "resold", _("Sold")
    DONATED = "donated", _("Donated")
    RETURNED = "returned", _("Returned to the lessor or supplier")
    DESTROYED = "destroyed", _("Destroyed")


class RelationshipKind(models.TextChoices):
    CONNECTED_TO = "connected_to", _("is connected to")
    DEPENDS_ON = "depends_on", _("depends on")
    PART_OF = "part_of", _("is part of")


class EventKind(models.TextChoices):
    CREATED = "created", _("Added to the register")
    IMPORTED = "imported", _("Imported")
    CHANGED = "changed", _("Changed")
    MOVED = "moved", _("Moved")
    ISSUED = "issued", _("Issued")
    LOANED = "loaned", _("Lent")
    RETURNED = "returned", _("Returned")
    STATUS = "status", _("Status changed")
    DISPOSED = "disposed", _("Disposed of")
    AUDITED = "audited", _("Seen in an audit")
    RELATED = "related", _("Relationship")
