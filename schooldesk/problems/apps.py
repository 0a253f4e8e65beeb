from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "schooldesk.problems"
    label = "problems"
