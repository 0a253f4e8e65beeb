from django.urls import path

from schooldesk.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.StandardsListView.as_view(), name="standards_list"),
    path("schools/<int:school_pk>/", views.SchoolStandardsView.as_view(), name="school"),
    path("schools/<int:school_pk>/statements/", views.StatementCreateView.as_view(), name="statement_create"),
    path("statements/<int:statement_pk>/attachments/", views.StatementFileView.as_view(), name="statement_file"),
    path("checks/", views.CheckListView.as_view(), name="check_list"),
    path("checks/new/", views.CheckRuleEditView.as_view(), name="rule_create"),
    path("checks/rules/<int:rule_pk>/", views.CheckRuleEditView.as_view(), name="rule_edit"),
    path("checks/<int:item_pk>/", views.CheckItemView.as_view(), name="item_detail"),
    path(
        "checks/<int:item_pk>/attachments/<int:evidence_pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path("reviews/<int:school_pk>/", views.ReviewView.as_view(), name="review"),
    path("reviews/<int:school_pk>/sign/", views.ReviewActionView.as_view(action="sign"), name="review_sign"),
    path("reviews/<int:school_pk>/reopen/", views.ReviewActionView.as_view(action="reopen"), name="review_reopen"),
    path("reviews/<int:school_pk>/month/", views.ReviewActionView.as_view(action="month"), name="review_month"),
]
