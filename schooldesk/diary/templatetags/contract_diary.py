"""A contract's page shows its payments and its next diary entries: `{% load contract_diary %}`, then
`{% contract_payments contract today as payments %}` and `{% contract_entries contract today as entries %}`. The diary
builds on contracts, so the contract's page asks the diary through these tags and suppliers never imports it."""

from django import template

from schooldesk.diary import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def contract_payments(context, contract, today):
    return selectors.contract_payments(user=context["request"].user, contract=contract, today=today)


@register.simple_tag(takes_context=True)
def contract_entries(context, contract, today):
    return selectors.contract_entries(user=context["request"].user, contract=contract, today=today)
