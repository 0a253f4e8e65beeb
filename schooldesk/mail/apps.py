from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "schooldesk.mail"
    label = "mail"
    verbose_name = "Mail in and out"
