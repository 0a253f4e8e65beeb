from django.urls import path

from schooldesk.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.ProblemListView.as_view(), name="problem_list"),
    path("new/", views.ProblemEditView.as_view(), name="problem_create"),
    path("candidates/", views.CandidatesView.as_view(), name="candidates"),
    path("candidates/raise/", views.RaiseCandidateView.as_view(), name="candidate_raise"),
    path("candidates/settings/", views.CandidateSettingsView.as_view(), name="candidate_settings"),
    path("known-errors/suggest/", views.KnownErrorSuggestView.as_view(), name="known_error_suggest"),
    path("report/", views.ProblemReportView.as_view(), name="problem_report"),
    path("<int:pk>/", views.ProblemDetailView.as_view(), name="problem_detail"),
    path("<int:pk>/edit/", views.ProblemEditView.as_view(), name="problem_update"),
    path("<int:pk>/unlink/", views.ProblemUnlinkView.as_view(), name="problem_unlink"),
    path("<int:pk>/give-workaround/", views.GiveWorkaroundView.as_view(), name="give_workaround"),
]
urlpatterns += [
    path(
        f"<int:pk>/{action.replace('_', '-')}/",
        views.ProblemActionView.as_view(action=action),
        name=f"problem_{action}",
    )
    for action in views.ACTIONS
]
