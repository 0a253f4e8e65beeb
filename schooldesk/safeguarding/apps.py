from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "schooldesk.safeguarding"
    label = "safeguarding"
