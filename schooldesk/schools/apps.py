from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schooldesk.schools"
    label = "schools"
