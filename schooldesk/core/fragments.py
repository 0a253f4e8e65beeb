"""The hot fragments' template engine: Jinja2, the second backend in `TEMPLATES` (config/settings.py), used only for
the markup drawn many times on a page: the call table's rows, the call badges, a licence's badge and the drop-downs
(decision 0038). Their templates are in `<app>/jinja2/<app>/`; every page is still a Django template, which calls
a fragment through a tag (`render_fragment`).

A fragment's template can count on what a Django template gives:

- every `{{ value }}` escaped as Django escapes it (`&quot;`, `&#x27;`), so the markup is byte for byte what the
  Django templates print (markupsafe alone writes `&#34;` and `&#39;`); a value already safe (`mark_safe`, a
  macro's output) is printed as it is;
- `{{ _("words") }}` in the active language, through Django's own catalogues (the i18n extension). Write the words
  as `_("...")` inside `{{ }}`: that is what `makemessages` reads in a template, so they reach locale/cy. A word is
  looked up once per language and kept (the call table would otherwise ask the catalogues a dozen times a row);
- `url(name, *args)`, `static(path)`, and the filters `when` (dd/mm/yyyy hh:mm in the desk's time zone, what
  `|date:"d/m/Y H:i"` prints) and `localize` (what `{{ value }}` prints for a date or a number in a Django template).
"""

from functools import lru_cache
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment
from markupsafe import Markup

ENGINE = "jinja2"  # the backend's NAME in settings.TEMPLATES


def _escaped(value):
    """Jinja2's `finalize`: each printed value passes here before autoescape, which leaves a Markup as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(escape(str(value)))  # noqa: S704 - escaped here, as django.utils.html.escape does


@lru_cache(maxsize=2048)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)  # `language` is the active one: it is only the cache's key


def _gettext(message: str) -> str:
    return _translated(get_language(), message)


@receiver(setting_changed)
def _forget_words(*, setting, **kwargs):
    """Another catalogue or language (a test's override_settings): the words again, as Django's own caches do."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _translated.cache_clear()


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _when(moment) -> str:
    return localtime(moment).strftime("%d/%m/%Y %H:%M")


def environment(**options) -> Environment:
    """The environment of the `jinja2` backend (its OPTIONS name this function)."""
    options.setdefault("autoescape", True)
    env = Environment(extensions=["jinja2.ext.i18n"], finalize=_escaped, **options)  # noqa: S701 - autoescape above
    env.install_gettext_callables(_gettext, ngettext, newstyle=False)
    env.globals.update(url=_url, static=static)
    env.filters.update(when=_when, localize=localize)
    return env


def fragment(name: str):
    """The Jinja2 template `name` (a `jinja2.Template`), from the backend's loaders and cache."""
    return engines[ENGINE].get_template(name).template


def render_fragment(name: str, context: dict) -> SafeString:
    """The fragment `name` drawn with `context` alone (no request, no context processors): safe to put in a page."""
    return mark_safe(fragment(name).render(context))  # noqa: S308 - autoescaped by the fragment's engine
