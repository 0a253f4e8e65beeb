from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "schooldesk.suppliers"
    label = "suppliers"
