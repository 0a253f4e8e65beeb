from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "schooldesk.standards"
    label = "standards"
