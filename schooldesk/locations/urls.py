from django.urls import path

from schooldesk.locations import views

app_name = "locations"
urlpatterns = [
    path("", views.LocationListView.as_view(), name="location_list"),
    path("new/", views.LocationEditView.as_view(), name="location_create"),
    path("<int:pk>/edit/", views.LocationEditView.as_view(), name="location_update"),
    path("<int:pk>/archive/", views.LocationArchiveView.as_view(action="archive"), name="location_archive"),
    path("<int:pk>/restore/", views.LocationArchiveView.as_view(action="restore"), name="location_restore"),
    path("<int:pk>/delete/", views.LocationDeleteView.as_view(), name="location_delete"),
]
