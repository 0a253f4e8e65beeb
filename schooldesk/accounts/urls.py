from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from schooldesk.accounts import views
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
    path("two-step-policy/", views.MfaPolicyListView.as_view(), name="mfa_policy_list"),
    path("two-step-policy/<int:organisation_pk>/", views.MfaPolicyView.as_view(), name="mfa_policy"),
]
