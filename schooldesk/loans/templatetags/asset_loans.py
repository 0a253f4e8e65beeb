"""The asset's page shows who has the device on loan: `{% load asset_loans %}{% open_loan asset as loan %}`. Loans
builds on the asset register, so the register's page asks loans through this tag and assets never imports loans."""

from django import template

from schooldesk.loans.selectors import open_loan as _open_loan

register = template.Library()


@register.simple_tag
def open_loan(asset):
    """The asset's open loan (with its borrower), or None."""
    return _open_loan(asset=asset)
