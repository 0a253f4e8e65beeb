from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schooldesk.accounts"
    label = "accounts"

    def ready(self):
        from django.apps import apps

        if apps.is_installed("allauth.mfa"):  # two-step sign-in's audit entries (docs/decisions/0032)
            from schooldesk.accounts import mfa

            mfa.connect()
