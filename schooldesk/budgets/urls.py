from django.urls import path

from schooldesk.budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.BudgetListView.as_view(), name="budget_list"),
    path("<int:school_pk>/", views.BudgetEditView.as_view(), name="budget_edit"),
]
