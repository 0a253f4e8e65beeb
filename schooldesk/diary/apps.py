from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "schooldesk.diary"
    label = "diary"
