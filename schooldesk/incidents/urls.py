from django.urls import path

from schooldesk.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("triage/", views.TriageView.as_view(), name="triage"),
    path("views/", views.SavedViewListView.as_view(), name="view_list"),
    path("views/save/", views.SavedViewSaveView.as_view(), name="view_save"),
    path("views/<int:view_pk>/delete/", views.SavedViewDeleteView.as_view(), name="view_delete"),
    path("new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("here/<int:location_pk>/", views.QrReportView.as_view(), name="report_here"),
    path("rate/<str:rating_token>/", views.RatingLinkView.as_view(), name="rating_link"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"
    ),
]
urlpatterns += [
    path(
        f"<int:pk>/{action.replace('_', '-')}/",
        views.IncidentActionView.as_view(action=action),
        name=f"incident_{action}",
    )
    for action in views.ACTIONS
]
