from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "schooldesk.budgets"
    label = "budgets"
