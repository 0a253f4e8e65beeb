from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from schooldesk.core.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class QueuedPasswordResetForm(PasswordResetForm):
    """"Forgotten your password?": the request only queues the job (accounts.tasks); the worker looks the address
    up and sends the email. Known and unknown addresses then cost the page the same."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        from schooldesk.accounts.tasks import password_reset_send_task

        password_reset_send_task(self.cleaned_data["email"], domain_override or request.get_host(), use_https)
