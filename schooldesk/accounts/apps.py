from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schooldesk.accounts"
    label = "accounts"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from schooldesk.accounts import audit_hooks, mfa
        from schooldesk.accounts.adapters import sso_signed_in

        user_logged_in.connect(sso_signed_in, dispatch_uid="accounts_sso_signed_in")
        audit_hooks.connect()  # role grants and sign-ins in the audit trail (docs/decisions/0037)
        mfa.connect()  # two-step sign-in's audit entries (docs/decisions/0032)
