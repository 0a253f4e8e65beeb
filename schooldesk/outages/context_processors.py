from functools import cached_property

from schooldesk.outages.selectors import banner_for


class _Banner:
    """The active outages of the person's schools, read only when a page shows the banner (cached per school)."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def outages(self) -> list[dict]:
        items = banner_for(user=self.request.user)
        noted = set(self.request.session.get(AFFECTED_SESSION_KEY, ()))
        return [{**item, "is_noted": item["pk"] in noted} for item in items]


#: the outages this person has said "I'm affected" to in this session (the banner then thanks them instead)
AFFECTED_SESSION_KEY = "outages_affected"


def outages(request):
    """`outage_banner.outages` for base.html: no query while every school's banner is cached."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    return {"outage_banner": _Banner(request)}
