from django.urls import path

from schooldesk.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="procedure_list"),
    path("new/", views.ProcedureCreateView.as_view(), name="procedure_create"),
    path("starter/", views.StarterView.as_view(), name="starter"),
    path("<int:pk>/", views.ProcedureDetailView.as_view(), name="procedure_detail"),
    path("<int:pk>/propose/", views.ProposeView.as_view(), name="procedure_propose"),
    path("<int:pk>/versions/<int:version_pk>/", views.VersionView.as_view(), name="version_detail"),
    path(
        "<int:pk>/versions/<int:version_pk>/decide/",
        views.VersionActionView.as_view(action="decide"),
        name="version_decide",
    ),
    path(
        "<int:pk>/versions/<int:version_pk>/withdraw/",
        views.VersionActionView.as_view(action="withdraw"),
        name="version_withdraw",
    ),
]
