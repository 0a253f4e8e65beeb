from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "schooldesk.changes"
    label = "changes"
