from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schooldesk.accounts"
    label = "accounts"
