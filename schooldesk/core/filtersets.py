"""What every list's search box shares: the `q` filter and words that match their other forms.

A list's FilterSet declares `q = SearchFilter(method=..., label=...)`; the same filter serves the page's
search box and the API's `?q=`. Lists without a full-text index match each word with `icontains` on its
stem, so "projectors" finds "projector" and "printing" finds "printer" on SQLite and PostgreSQL alike."""

import django_filters
from django import forms
from django.db.models import Q

from schooldesk.core.access import access_for
from schooldesk.core.forms import freeze_choices

MAX_WORDS = 6
# Longest first; a stem keeps at least MIN_STEM letters so that "speed" is not cut to "spe".
SUFFIXES = ("ings", "ing", "ers", "er", "ies", "es", "ed", "s", "y")
MIN_STEM = 4


def word_stem(word: str) -> str:
    """The part of an English word its other forms share: printers, printing → print; batteries → batter.
    Only words made of letters are cut: a serial number or a reference stays as typed."""
    word = word.lower()
    if not word.isalpha():
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words_q(text: str, contains: list[str], exact: list[str] = ()) -> Q:
    """Every word must appear (as any of its forms) in one of the `contains` fields, or be one of `exact`."""
    condition = Q()
    for word in text.split()[:MAX_WORDS]:
        stem = word_stem(word)
        either = Q()
        for field in contains:
            either |= Q(**{f"{field}__icontains": stem})
        for field in exact:
            either |= Q(**{f"{field}__iexact": word})
        condition &= either
    return condition


class SearchFilter(django_filters.CharFilter):
    """The `q` of a list: a search field, named for what it looks in."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "search", "class": "form-control", "autocomplete": "off"})
        )
        super().__init__(*args, **kwargs)


class DeskFilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet: Bootstrap classes on the filter form (as StyledFormMixin gives forms),
    a `school` filter only for people with several schools (a one-school SPOC has nothing to choose), and the
    model drop-downs' options from the cache (`core.forms.freeze_choices`: the rooms, categories, suppliers and
    technicians were read and made into model instances on every request)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if "school" in self.filters and user is not None and len(access_for(user).roles_by_school) <= 1:
            del self.filters["school"]

    @property
    def form(self):
        if hasattr(self, "_form"):
            return self._form
        form = freeze_choices(super().form)
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-control")
        return form
