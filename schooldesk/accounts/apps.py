from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schooldesk.accounts"
    label = "accounts"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from schooldesk.accounts import mfa
        from schooldesk.accounts.adapters import sso_signed_in

        user_logged_in.connect(sso_signed_in, dispatch_uid="accounts_sso_signed_in")
        mfa.connect()  # two-step sign-in's audit entries (docs/decisions/0032)
