from django.urls import path

from schooldesk.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestCreateView.as_view(), name="request_create"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/subject/", views.RequestActionView.as_view(action="subject"), name="request_subject"),
    path("requests/<int:pk>/exempt/", views.RequestActionView.as_view(action="exempt"), name="request_exempt"),
    path("requests/<int:pk>/answer/", views.RequestActionView.as_view(action="answer"), name="request_answer"),
    path("requests/<int:pk>/pack/", views.RequestPackView.as_view(), name="request_pack"),
    path("requests/<int:pk>/erase/", views.RequestEraseView.as_view(), name="request_erase"),
    path("retention/", views.RetentionIndexView.as_view(), name="retention_index"),
    path("retention/<int:school_pk>/", views.RetentionView.as_view(), name="retention"),
]
