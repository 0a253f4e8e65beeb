import django_filters
from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.mail.choices import ATTENTION_STATUSES, InboundStatus
from schooldesk.mail.models import InboundMessage, Mailbox

SHOW = [("attention", _("Needs the desk (held or failed)")), *InboundStatus.choices, ("all", _("All email"))]


class InboundFilterSet(DeskFilterSet):
    show = django_filters.ChoiceFilter(choices=SHOW, method="filter_show", label=_("Show"), empty_label=None)
    mailbox = django_filters.ModelChoiceFilter(
        queryset=lambda request: Mailbox.objects.visible_to(request.user if request else None), label=_("Mailbox")
    )
    q = SearchFilter(method="filter_q", label=_("Search (sender or subject)"))

    class Meta:
        model = InboundMessage
        fields = ["show", "mailbox", "q"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("show", "attention")
        super().__init__(data, *args, **kwargs)

    def filter_show(self, queryset, name, value):
        if value == "attention":
            return queryset.filter(status__in=ATTENTION_STATUSES)
        if value in InboundStatus.values:
            return queryset.filter(status=value)
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(words_q(value, ["from_address", "from_name", "subject"]))
