from django.contrib.auth.decorators import login_not_required
from django.urls import path

from schooldesk.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.InboundListView.as_view(), name="inbound_list"),
    path("messages/<int:pk>/", views.InboundDetailView.as_view(), name="inbound_detail"),
    path("messages/<int:pk>/original/", views.InboundOriginalView.as_view(), name="inbound_original"),
    path("messages/<int:pk>/retry/", views.InboundActionView.as_view(action="retry"), name="inbound_retry"),
    path("messages/<int:pk>/accept/", views.InboundActionView.as_view(action="accept"), name="inbound_accept"),
    path("messages/<int:pk>/discard/", views.InboundActionView.as_view(action="discard"), name="inbound_discard"),
    path("mailboxes/", views.MailboxListView.as_view(), name="mailbox_list"),
    path("mailboxes/new/", views.MailboxEditView.as_view(), name="mailbox_create"),
    path("mailboxes/<int:pk>/", views.MailboxEditView.as_view(), name="mailbox_update"),
    path("mailboxes/<int:pk>/check/", views.MailboxCheckView.as_view(), name="mailbox_check"),
    path("mailboxes/<int:pk>/authorise/", views.MailboxAuthoriseView.as_view(), name="mailbox_authorise"),
    path("mailboxes/<int:pk>/confirm/", views.MailboxConfirmSendView.as_view(), name="mailbox_confirm_send"),
    path(
        "mailboxes/confirm/<str:token>/", login_not_required(views.MailboxConfirmView.as_view()), name="mailbox_confirm"
    ),
    path("oauth/callback/", views.OAuthCallbackView.as_view(), name="oauth_callback"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("calls/<int:pk>/", views.IncidentMailView.as_view(), name="incident_mail"),
]
