from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "schooldesk.reports"
    label = "reports"
