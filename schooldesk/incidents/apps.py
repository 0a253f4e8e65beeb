from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "schooldesk.incidents"
    label = "incidents"
