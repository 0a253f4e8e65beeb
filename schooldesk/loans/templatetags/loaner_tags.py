from django import template

register = template.Library()


@register.inclusion_tag("loans/pool/swap_panel.html", takes_context=True)
def loaner_panel(context, incident):
    """On the call page: a spare from the pool to lend while the borrower's device is repaired, or the swap back
    once the call is resolved (docs/decisions/0029). Nothing for a call about a device that is not on loan."""
    from schooldesk.loans.selectors_pool import swap_offer_for_call

    request = context["request"]
    offer = swap_offer_for_call(user=request.user, incident=incident) if incident.asset_id else {}
    form = None
    if offer.get("calls") is not None:
        from schooldesk.loans.forms_pool import SwapInForm

        form = SwapInForm(spares=offer["spares"], calls=offer["calls"])
    return {
        "offer": offer,
        "swap_form": form,
        "next": request.get_full_path(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
