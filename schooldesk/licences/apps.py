from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "schooldesk.licences"
    label = "licences"
