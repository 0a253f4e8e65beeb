"""The one way a service tells subscribers that something happened: `emit(event, school=..., obj=..., data=...)`.

Called inside the service's transaction; nothing happens until it commits (`transaction.on_commit`), so a change
rolled back emits nothing. At the commit, the installation's list of events anyone subscribes to (cached: no query while
it holds, deleted when a subscription is saved) says whether to look further; only then does one query find the
subscriptions to this event of the school or its organisation. Each found subscription gets a Delivery row (one
per subscription and event) and the worker sends them (services.deliveries_send).

A restricted call (data breach, safeguarding) is never sent to a Teams or Slack receiver; a generic receiver gets
its reference and link only (docs/decisions/0026-webhooks.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

#: the page of each kind of record an event is about: (url name, the keyword its pk goes in)
PAGES = {
    "incidents.incident": ("incidents:incident_detail", "pk"),
    "assets.asset": ("assets:asset_detail", "pk"),
    "suppliers.contract": ("suppliers:contract_detail", "contract_pk"),
    "licences.licence": ("licences:licence_detail", "pk"),
}


SUBSCRIBED_KEY = "webhooks:subscribed-events"
SUBSCRIBED_FOR = 300  # seconds: a subscription saved is seen at once (the key is deleted); this only bounds drift


def subscribed_events() -> frozenset[str]:
    """Every event some active subscription of the installation wants (one query when the cache is empty)."""
    found = cache.get(SUBSCRIBED_KEY)
    if found is None:
        from schooldesk.webhooks.models import Subscription

        found = sorted(
            {
                e
                for events in Subscription.objects.filter(is_active=True).values_list("events", flat=True)
                for e in events.split(",")
                if e
            }
        )
        cache.set(SUBSCRIBED_KEY, found, SUBSCRIBED_FOR)
    return frozenset(found)


def subscriptions_changed() -> None:
    cache.delete(SUBSCRIBED_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIBED_KEY))  # and not refilled from before the commit


def link(obj) -> str:
    page = PAGES.get(obj._meta.label_lower)
    if page is None:
        return ""
    try:
        return settings.SCHOOLDESK_SITE_URL + reverse(page[0], kwargs={page[1]: obj.pk})
    except NoReverseMatch:
        return ""


def envelope(event: str, *, obj, data: dict, now=None, event_id: str = "") -> dict:
    """What every receiver is told, but whose it is (added once someone subscribes: services.deliveries_create).
    Costs no query: `data` holds values the caller has at hand."""
    restricted = bool(getattr(obj, "is_restricted", False))
    return {
        "id": event_id or str(uuid.uuid4()),
        "event": event,
        "created_at": (now or timezone.now()).isoformat(),
        "school": {},
        "object": {
            "type": obj._meta.model_name,
            "id": obj.pk,
            "reference": str(getattr(obj, "reference", "") or obj),
            "url": link(obj),
        },
        "restricted": restricted,
        "data": {} if restricted else {k: str(v) for k, v in data.items() if v not in (None, "")},
    }


def event_key(*parts) -> str:
    """A fixed event id for something a periodic job finds (a missed target): found twice, it is sent once."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "schooldesk:" + ":".join(str(p) for p in parts)))


def emit(
    event: str, *, obj, school=None, data: dict | None = None, schools=(), organisation=None, event_id: str = ""
) -> None:
    """Queue `event` about `obj` for the subscribers of `school` (a School or its id) — or of `schools` and
    `organisation`, for an organisation's record shared by some of its schools — once the transaction commits."""
    message = envelope(event, obj=obj, data=data or {}, event_id=event_id)
    school_ids = [getattr(s, "pk", s) for s in ([school] if school is not None else []) + list(schools)]
    organisation_id = getattr(organisation, "pk", organisation)

    def fan_out():
        if event not in subscribed_events():
            return
        from schooldesk.webhooks.services import deliveries_create

        deliveries_create(message=message, school_ids=school_ids, organisation_id=organisation_id)

    transaction.on_commit(fan_out)
