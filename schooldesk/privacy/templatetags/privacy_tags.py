from django import template

from schooldesk.accounts.access import access_for
from schooldesk.privacy.choices import PRIVACY_ROLES

register = template.Library()

HOME_ROWS = 10


@register.inclusion_tag("privacy/_home_requests.html", takes_context=True)
def open_subject_access_requests(context):
    """The DPO's (and ICT owner's) open subject access requests on the home page, soonest due first: one query,
    none for anybody else."""
    from django.utils import timezone

    from schooldesk.privacy.selectors import requests_open

    user = context["request"].user
    if not access_for(user).any_role(PRIVACY_ROLES):
        return {"show": False}
    return {"show": True, "rows": list(requests_open(user)[:HOME_ROWS]), "today": timezone.localdate()}
