from django.apps import AppConfig


class DevicesyncConfig(AppConfig):
    name = "schooldesk.devicesync"
    label = "devicesync"
