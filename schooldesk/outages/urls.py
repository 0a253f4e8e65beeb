from django.urls import path

from schooldesk.outages import views

app_name = "outages"
urlpatterns = [
    path("", views.OutageListView.as_view(), name="outage_list"),
    path("new/", views.OutageCreateView.as_view(), name="outage_create"),
    path("<int:pk>/", views.OutageDetailView.as_view(), name="outage_detail"),
    path("<int:pk>/affected/", views.OutageActionView.as_view(action="affected"), name="outage_affected"),
    path("<int:pk>/link/", views.OutageActionView.as_view(action="link"), name="outage_link"),
    path("<int:pk>/resolve/", views.OutageActionView.as_view(action="resolve"), name="outage_resolve"),
    path("approvals/<int:approval_pk>/", views.ApprovalDetailView.as_view(), name="approval_detail"),
    path("approvals/<int:approval_pk>/decide/", views.ApprovalDecideView.as_view(), name="approval_decide"),
    path("calls/<int:incident_pk>/change/", views.ChangeFromCallView.as_view(), name="change_from_call"),
    path("categories/<int:category_pk>/approval/", views.CategoryApprovalView.as_view(), name="category_approval"),
]
