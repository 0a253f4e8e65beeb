from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from schooldesk.accounts import views, views_people
from schooldesk.accounts.forms import LoginForm, QueuedPasswordResetForm

urlpatterns = [
    path("login/", login_not_required(auth_views.LoginView.as_view(authentication_form=LoginForm,
                                                                     redirect_authenticated_user=True)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", login_not_required(auth_views.PasswordResetView.as_view(
        form_class=QueuedPasswordResetForm)), name="password_reset"),
    path("password-reset/sent/", login_not_required(auth_views.PasswordResetDoneView.as_view()),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", login_not_required(auth_views.PasswordResetConfirmView.as_view()),
         name="password_reset_confirm"),
    path("reset/done/", login_not_required(auth_views.PasswordResetCompleteView.as_view()),
         name="password_reset_complete"),
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
    path("people/<int:person_pk>/roles/<int:membership_pk>/remove/", views_people.PersonRoleRemoveView.as_view(),
         name="person_role_remove"),
    path("people/<int:person_pk>/deactivate/", views_people.PersonDeactivateView.as_view(),
         name="person_deactivate"),
    path("people/<int:person_pk>/reactivate/", views_people.PersonReactivateView.as_view(),
         name="person_reactivate"),
    path("people/<int:person_pk>/invitation/", views_people.PersonInviteResendView.as_view(),
         name="person_invite_resend"),
]
