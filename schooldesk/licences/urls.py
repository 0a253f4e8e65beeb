from django.urls import path

from schooldesk.licences import views
from schooldesk.licences.models import Installation

app_name = "licences"
urlpatterns = [
    path("", views.LicenceListView.as_view(), name="licence_list"),
    path("export/", views.LicenceExportView.as_view(), name="licence_export"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("new/", views.LicenceEditView.as_view(), name="licence_create"),
    path("installations/import/", views.InstallationImportView.as_view(), name="installation_import"),
    path("<int:pk>/", views.LicenceDetailView.as_view(), name="licence_detail"),
    path("<int:pk>/edit/", views.LicenceEditView.as_view(), name="licence_update"),
    path("<int:pk>/delete/", views.LicenceDeleteView.as_view(), name="licence_delete"),
    path("<int:pk>/proof/", views.ProofDownloadView.as_view(), name="proof_download"),
    path("<int:pk>/allocate/", views.LicenceActionView.as_view(action="allocate"), name="licence_allocate"),
    path("<int:pk>/install/", views.LicenceActionView.as_view(action="install"), name="licence_install"),
    path(
        "<int:pk>/allocations/<int:allocation_pk>/delete/",
        views.LicenceLinkRemoveView.as_view(),
        name="allocation_remove",
    ),
    path(
        "<int:pk>/installations/<int:installation_pk>/delete/",
        views.LicenceLinkRemoveView.as_view(model=Installation),
        name="installation_remove",
    ),
]
