"""Budgets in the API: each school's budget per financial year and spending category, for those the budgets page
lets in (BUDGET_VIEW_ROLES)."""

from schooldesk.budgets.choices import BUDGET_VIEW_ROLES
from schooldesk.budgets.models import Budget
from schooldesk.core.api import DeskSerializer, DeskViewSet, with_roles


class BudgetSerializer(DeskSerializer):
    class Meta:
        model = Budget
        fields = ["id", "school", "year", "category", "amount", "set_by", "created_at", "updated_at"]


class BudgetViewSet(DeskViewSet):
    """Budgets; `?school=<id>&year=<yyyy>` for one school's year."""

    serializer_class = BudgetSerializer
    filterset_fields = ["school", "year", "category"]

    @staticmethod
    def selector(user):
        return with_roles(Budget.objects.visible_to(user), user, BUDGET_VIEW_ROLES)
