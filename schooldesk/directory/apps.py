from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "schooldesk.directory"
    verbose_name = "Directory sync"
