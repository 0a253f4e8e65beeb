from django.urls import path

from schooldesk.devicesync import views

app_name = "devicesync"
urlpatterns = [
    path("", views.ConnectionListView.as_view(), name="connection_list"),
    path("new/", views.ConnectionEditView.as_view(), name="connection_create"),
    path("<int:pk>/", views.ConnectionEditView.as_view(), name="connection_update"),
    path("<int:pk>/test/", views.ConnectionTestView.as_view(), name="connection_test"),
    path("<int:pk>/sync/", views.SyncRequestView.as_view(), name="sync_request"),
    path("<int:pk>/runs/", views.RunListView.as_view(), name="run_list"),
    path("<int:pk>/runs/<int:run_pk>/", views.RunDetailView.as_view(), name="run_detail"),
]
