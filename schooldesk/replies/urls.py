from django.urls import path

from schooldesk.replies import views

app_name = "replies"
urlpatterns = [
    path("", views.CannedReplyListView.as_view(), name="reply_list"),
    path("new/", views.CannedReplyEditView.as_view(), name="reply_create"),
    path("<int:pk>/edit/", views.CannedReplyEditView.as_view(), name="reply_edit"),
    path("<int:pk>/delete/", views.CannedReplyDeleteView.as_view(), name="reply_delete"),
    path("for-call/<int:incident_pk>/", views.CallRepliesView.as_view(), name="call_replies"),
]
