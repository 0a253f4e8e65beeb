from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupedRow(models.TextChoices):
    """The rows of a grouped table (calls by category, by location) that are not one named value: a row's `key`
    says which (None for a named category or location), its `label` is only for people to read."""

    EVERYTHING_ELSE = "everything_else", _("Everything else")
    NOT_CATEGORISED = "not_categorised", _("Not categorised")
