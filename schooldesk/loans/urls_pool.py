from django.urls import path

from schooldesk.loans import views_pool as views

urlpatterns = [
    path("pool/", views.PoolIndexView.as_view(), name="pool_index"),
    path("pool/<int:school_pk>/", views.PoolView.as_view(), name="pool_detail"),
    path("pool/<int:school_pk>/add/", views.LoanerAddView.as_view(), name="loaner_add"),
    path("pool/<int:school_pk>/settings/", views.PoolSettingsView.as_view(), name="pool_settings"),
    path("pool/loaners/<int:loaner_pk>/remove/", views.LoanerRemoveView.as_view(), name="loaner_remove"),
    path("<int:loan_pk>/repairs/", views.LoanRepairsView.as_view(), name="loan_repairs"),
    path("<int:loan_pk>/swap-in/", views.SwapInView.as_view(), name="swap_in"),
    path("swaps/<int:swap_pk>/swap-back/", views.SwapBackView.as_view(), name="swap_back"),
    path("<int:loan_pk>/charges/new/", views.ChargeEditView.as_view(), name="charge_create"),
    path("charges/", views.ChargeListView.as_view(), name="charge_list"),
    path("charges/export/", views.ChargeExportView.as_view(), name="charge_export"),
    path("charges/<int:charge_pk>/", views.ChargeDetailView.as_view(), name="charge_detail"),
    path("charges/<int:charge_pk>/edit/", views.ChargeEditView.as_view(), name="charge_edit"),
    path("charges/<int:charge_pk>/status/", views.ChargeStatusView.as_view(), name="charge_status"),
    path("charges/<int:charge_pk>/letter/", views.ChargeLetterView.as_view(), name="charge_letter"),
    path("charges/<int:charge_pk>/photos/<int:charge_photo_pk>/", views.ChargePhotoView.as_view(), name="charge_photo"),
]
