from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "schooldesk.procedures"
    label = "procedures"
