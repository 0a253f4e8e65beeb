from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "schooldesk.replies"
    label = "replies"
