from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schooldesk.core"
    label = "core"
