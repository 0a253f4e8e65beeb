from django.urls import path

from schooldesk.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("export/", views.AssetExportView.as_view(), name="asset_export"),
    path("new/", views.AssetEditView.as_view(), name="asset_create"),
    path("bulk/", views.BulkView.as_view(), name="asset_bulk"),
    path("labels/", views.AssetLabelsView.as_view(), name="asset_labels"),
    path("labels/rooms/", views.LocationLabelsView.as_view(), name="location_labels"),
    path("options/", views.AssetOptionsView.as_view(), name="asset_options"),
    path("audit/", views.AuditView.as_view(), name="audit"),
    path("forecast/", views.ReplacementForecastView.as_view(), name="replacement_forecast"),
    path("types/", views.AssetTypeListView.as_view(), name="assettype_list"),
    path("types/new/", views.AssetTypeEditView.as_view(), name="assettype_create"),
    path("types/<int:asset_type_pk>/edit/", views.AssetTypeEditView.as_view(), name="assettype_update"),
    path("import/", views.ImportUploadView.as_view(), name="import_upload"),
    path("import/<int:asset_import_pk>/", views.ImportMapView.as_view(), name="import_map"),
    path("here/<int:pk>/", views.AssetReportHereView.as_view(), name="report_here"),
    path("<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("<int:pk>/edit/", views.AssetEditView.as_view(), name="asset_update"),
    path(
        "<int:pk>/relationships/<int:relationship_pk>/delete/",
        views.RelationshipRemoveView.as_view(),
        name="relationship_remove",
    ),
]
urlpatterns += [
    path(f"<int:pk>/{action}/", views.AssetActionView.as_view(action=action), name=f"asset_{action}")
    for action in views.ACTIONS
]
