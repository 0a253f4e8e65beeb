"""`{% mfa_duty as duty %}` for the Security page (allauth's view draws it, with our template): whether the
person's roles must use two-step sign-in, and where, and the organisations whose rule they set."""

from django import template

from schooldesk.core.roles import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def mfa_duty(context) -> dict:
    from schooldesk.accounts.mfa import roles_requiring_mfa, sso_used_mfa
    from schooldesk.accounts.selectors import mfa_policy_organisations

    request = context["request"]
    labels = dict(Role.choices)
    places = [
        (place, [labels.get(role, role) for role in roles])
        for place, roles in roles_requiring_mfa(request.user).items()
    ]
    return {
        "places": places,
        "sso_mfa": sso_used_mfa(request),
        "policies": list(mfa_policy_organisations(user=request.user)[:20]),
    }
