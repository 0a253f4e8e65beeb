from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk (`make run`, `manage.py demo_seed`, `make bench`): a council, two schools, their people and a
    year of their desk, one module per app it fills. It sits above every other app and nothing imports it."""

    name = "schooldesk.demo"
    label = "demo"
