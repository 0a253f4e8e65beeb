from django.urls import path

from schooldesk.loans import agreement_views, pupil_views, scanning, urls_pool, views

app_name = "loans"
urlpatterns = [
    *urls_pool.urlpatterns,  # the loaner pool and charges (docs/decisions/0029)
    path("", views.LoanReportView.as_view(report="who"), name="loan_list"),
    path("overdue/", views.LoanReportView.as_view(report="overdue"), name="overdue"),
    path("out-of-support/", views.LoanReportView.as_view(report="support"), name="out_of_support"),
    path("export/", views.LoanExportView.as_view(), name="loan_export"),
    path("scan/", scanning.ScanView.as_view(), name="scan"),
    path("pupils/", pupil_views.PupilListView.as_view(), name="pupil_list"),
    path("pupils/new/", pupil_views.PupilEditView.as_view(), name="pupil_create"),
    path("pupils/import/", pupil_views.PupilImportView.as_view(), name="pupil_import"),
    path("pupils/<int:pupil_pk>/edit/", pupil_views.PupilEditView.as_view(), name="pupil_update"),
    path("agreements/", agreement_views.AgreementTemplateListView.as_view(), name="agreementtemplate_list"),
    path("agreements/new/", agreement_views.AgreementTemplateEditView.as_view(), name="agreementtemplate_create"),
    path("<int:pk>/", views.LoanDetailView.as_view(), name="loan_detail"),
    path("<int:pk>/return/", views.LoanReturnView.as_view(), name="loan_return"),
    path("<int:pk>/photos/", views.LoanPhotoAddView.as_view(), name="loan_photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/", views.LoanPhotoDownloadView.as_view(), name="photo_download"),
    path("<int:pk>/agreement/", agreement_views.AgreementSignView.as_view(), name="agreement_sign"),
    path("<int:pk>/agreement/pdf/", agreement_views.AgreementPdfView.as_view(), name="agreement_pdf"),
    path("<int:pk>/agreement/scan/", agreement_views.AgreementScanDownloadView.as_view(), name="agreement_scan"),
]
