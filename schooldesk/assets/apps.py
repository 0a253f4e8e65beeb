from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "schooldesk.assets"
    label = "assets"
