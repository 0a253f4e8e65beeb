from django.urls import path

from schooldesk.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.SupplierListView.as_view(), name="supplier_list"),
    path("new/", views.SupplierEditView.as_view(), name="supplier_create"),
    path("<int:pk>/", views.SupplierDetailView.as_view(), name="supplier_detail"),
    path("<int:pk>/edit/", views.SupplierEditView.as_view(), name="supplier_update"),
    path("<int:pk>/contacts/new/", views.ContactEditView.as_view(), name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.ContactEditView.as_view(), name="contact_update"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("<int:pk>/suggest/", views.SupplierSuggestView.as_view(), name="supplier_suggest"),
    path("<int:pk>/contacts/<int:contact_pk>/suggest/", views.SupplierSuggestView.as_view(), name="contact_suggest"),
    path(
        "<int:pk>/suggestions/<int:suggestion_pk>/decide/",
        views.SupplierSuggestionDecideView.as_view(),
        name="suggestion_decide",
    ),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/decisions/", views.ContractDecisionsView.as_view(), name="contract_decisions"),
    path("contracts/new/", views.ContractEditView.as_view(), name="contract_create"),
    path("contracts/<int:contract_pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("contracts/<int:contract_pk>/edit/", views.ContractEditView.as_view(), name="contract_update"),
    path("contracts/<int:contract_pk>/decide/", views.ContractDecideView.as_view(), name="contract_decide"),
    path("contracts/<int:contract_pk>/documents/", views.ContractDocumentUploadView.as_view(), name="document_upload"),
    path(
        "contracts/<int:contract_pk>/documents/<int:document_pk>/",
        views.ContractDocumentDownloadView.as_view(),
        name="document_download",
    ),
]
