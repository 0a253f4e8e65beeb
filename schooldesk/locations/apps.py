from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "schooldesk.locations"
    label = "locations"
