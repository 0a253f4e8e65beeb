"""The worker's webhook jobs (Huey). Tests run tasks immediately; each job is also a plain function."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def deliveries_send_task(delivery_ids: list[int]) -> int:
    from schooldesk.webhooks.models import Delivery
    from schooldesk.webhooks.services import deliveries_send

    return deliveries_send(
        list(Delivery.objects.filter(pk__in=delivery_ids).select_related("subscription").order_by("pk"))
    )


@db_periodic_task(crontab(minute="*"))
def webhooks_retry_task() -> int:
    """Every minute: try again the deliveries whose back-off is over."""
    from schooldesk.webhooks.services import deliveries_retry

    return deliveries_retry()


@db_periodic_task(crontab(minute="*/5"))
def sla_breaches_task() -> int:
    """Every five minutes: tell subscribers of the call targets missed since the last run."""
    from schooldesk.webhooks.services import sla_breaches_emit

    return sla_breaches_emit()
