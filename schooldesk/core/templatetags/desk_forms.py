"""`{% form_token %}`: the one-time token of a POST form (core/submissions.py). components/form.html renders it
with every `{{ form }}`; a form drawn field by field puts it beside `{% csrf_token %}`."""

from django import template
from django.utils.html import format_html

from schooldesk.core.submissions import TOKEN_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token(form=None):
    if form is not None and not getattr(form, "one_time_token", True):  # a filter form (GET) has none
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, new_form_token())
