from django.apps import AppConfig


class OutagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schooldesk.outages"
    verbose_name = "Outages and approvals"

    def ready(self):
        from schooldesk.outages.bulk import register_actions

        register_actions()
