from django.urls import path

from schooldesk.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.ConnectionListView.as_view(), name="connection_list"),
    path("new/", views.ConnectionEditView.as_view(), name="connection_create"),
    path("<int:pk>/", views.ConnectionEditView.as_view(), name="connection_update"),
    path("<int:pk>/test/", views.ConnectionTestView.as_view(), name="connection_test"),
    path("<int:pk>/sync/", views.ConnectionSyncView.as_view(), name="connection_sync"),
    path("reports/", views.RunListView.as_view(), name="run_list"),
    path("reports/<int:run_pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("reports/<int:run_pk>/rooms/add-all/", views.RoomsAddAllView.as_view(), name="rooms_add_all"),
    path("reports/<int:run_pk>/rooms/<int:room_pk>/add/", views.RoomAddView.as_view(), name="room_add"),
]
