from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from schooldesk.accounts import views, views_people
from schooldesk.accounts.forms import QueuedPasswordResetForm


def _to(name: str):
    """An allauth page the desk does not offer: its address leads to the desk's own."""
    return login_not_required(RedirectView.as_view(pattern_name=name, permanent=False))


urlpatterns = [
    # Signing in is allauth's (docs/decisions/0031), at the addresses the desk has always had
    path("login/", views.login, name="login"),
    path("sso/", views.SignInStartView.as_view(), name="sign_in_start"),
    path("sign-in-settings/", views.SignInConnectionListView.as_view(), name="sign_in_connection_list"),
    path("sign-in-settings/new/", views.SignInConnectionEditView.as_view(), name="sign_in_connection_create"),
    path("sign-in-settings/<int:pk>/", views.SignInConnectionEditView.as_view(), name="sign_in_connection_update"),
    # POST only; allauth's would answer a GET. Open to a person half signed in (between the password and the second
    # step of two-step sign-in, docs/decisions/0032): "Cancel" there signs out and forgets the half sign-in
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password-reset/",
        login_not_required(auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm)),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        login_not_required(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("api-tokens/", views.ApiTokenListView.as_view(), name="api_token_list"),
    path("api-tokens/new/", views.ApiTokenCreateView.as_view(), name="api_token_create"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("people/", views_people.PeopleListView.as_view(), name="people_list"),
    path("people/export/", views_people.PeopleExportView.as_view(), name="people_export"),
    path("people/invite/", views_people.PersonInviteView.as_view(), name="person_invite"),
    path("people/import/", views_people.PeopleImportView.as_view(), name="people_import"),
    path("people/import/check/", views_people.PeopleImportCheckView.as_view(), name="people_import_check"),
    path("people/<int:person_pk>/", views_people.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:person_pk>/roles/", views_people.PersonRoleGiveView.as_view(), name="person_role_give"),
    path(
        "people/<int:person_pk>/roles/<int:membership_pk>/remove/",
        views_people.PersonRoleRemoveView.as_view(),
        name="person_role_remove",
    ),
    path("people/<int:person_pk>/deactivate/", views_people.PersonDeactivateView.as_view(), name="person_deactivate"),
    path("people/<int:person_pk>/reactivate/", views_people.PersonReactivateView.as_view(), name="person_reactivate"),
    path(
        "people/<int:person_pk>/invitation/", views_people.PersonInviteResendView.as_view(), name="person_invite_resend"
    ),
    path("two-step-policy/", views.MfaPolicyListView.as_view(), name="mfa_policy_list"),
    path("two-step-policy/<int:organisation_pk>/", views.MfaPolicyView.as_view(), name="mfa_policy"),
    # allauth's own pages the desk replaces: a password reset the worker sends (above), no email addresses of
    # one's own to add (an address is the SPOC's to set: SSO links by it)
    path("password/reset/", _to("password_reset")),
    path("password/change/", _to("home")),
    path("password/set/", _to("home")),
    path("email/", _to("home")),
    path("3rdparty/", _to("home")),  # connections: a person's Microsoft or Google sign-in is linked by the desk
    path("", include("allauth.urls")),
]
