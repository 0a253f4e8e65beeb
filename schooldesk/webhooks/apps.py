from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "schooldesk.webhooks"
    label = "webhooks"
