"""The procedure list's search: the same filterset would serve an API."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.procedures.models import Procedure


class ProcedureFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (title or text)"))

    class Meta:
        model = Procedure
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(words_q(value, ["title", "current_version__body"])) if value.strip() else queryset
