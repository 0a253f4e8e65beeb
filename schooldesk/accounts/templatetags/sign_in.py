from django import template

from schooldesk.accounts import sso
from schooldesk.accounts.forms import SignInStartForm

register = template.Library()


@register.inclusion_tag("account/_sso_buttons.html", takes_context=True)
def sso_buttons(context):
    """ "Sign in with Microsoft" and "… Google" beside the password form, where any school has them."""
    return {
        "providers": sso.enabled_providers(),
        "form": SignInStartForm(),
        "next": context.get("redirect_field_value") or "",
        "csrf_token": context.get("csrf_token"),
    }
