from django import template
from django.utils import timezone

from schooldesk.core.permissions import can
from schooldesk.privacy.selectors import requests_open

register = template.Library()

HOME_ROWS = 10


@register.inclusion_tag("privacy/_home_requests.html", takes_context=True)
def open_subject_access_requests(context):
    """The DPO's (and ICT owner's) open subject access requests on the home page, soonest due first: one query,
    none for anybody else."""
    user = context["request"].user
    if not can(user, "privacy.request"):
        return {"show": False}
    return {"show": True, "rows": list(requests_open(user=user)[:HOME_ROWS]), "today": timezone.localdate()}
