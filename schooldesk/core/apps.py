from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "schooldesk.core"
    label = "core"

    def ready(self):
        from django.core import checks

        from schooldesk.core.fields import check_secret_keys

        checks.register(check_secret_keys, checks.Tags.security)

        from schooldesk.core import choice_cache

        choice_cache.connect()
