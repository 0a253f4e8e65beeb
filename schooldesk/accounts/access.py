"""What a signed-in user may reach: the tenancy layer's `Access`, on the ground floor (`schooldesk/core/access.py`,
docs/decisions/0037), named here too for the callers that import it from here."""

from schooldesk.core.access import Access, access_for, access_forget

__all__ = ["Access", "access_for", "access_forget"]
