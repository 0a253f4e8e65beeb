from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "schooldesk.permissions"
    label = "permissions"

    def ready(self):
        from schooldesk.permissions import rules  # noqa: F401  (registers every rule)
