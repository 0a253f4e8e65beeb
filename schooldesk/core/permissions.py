"""Who may do what: the mechanism. The rules themselves are all in one module, `schooldesk/permissions/rules.py`.

Every permission question is asked by the name of an action, "<app>.<action>", of the object it is about:
- a service refuses with `require(by, "assets.change", asset)` (PermissionDenied carrying the rule's message);
- a view offers a form or a button with `can(user, "assets.change", asset)`, and a page is guarded by
  `PermissionRequiredMixin.permission` (core/views.py);
- a template shows with `{% can "assets.change" asset as may_change %}` (core/templatetags/desk_permissions.py).
So the three always agree. `obj` is the record the action is about (anything with `school_id`), a School, a school's
id, or None for "in some school" (a list page's "Add" button, the menu). `by=None` is the desk itself (a Huey task,
a management command), which may do anything a service offers. docs/decisions/0036.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from schooldesk.core.access import access_for

CANNOT = gettext_lazy("Your role does not include this.")

#: test(access, user, obj) -> bool; `access` is core.access.Access, read once per request
Test = Callable[[Any, Any, Any], bool]


@dataclass(frozen=True)
class Rule:
    name: str
    test: Test
    refused: str


RULES: dict[str, Rule] = {}


def rule(name: str, test: Test, refused=CANNOT) -> Rule:
    """Register the rule for an action; a name is registered once."""
    if name in RULES:
        raise ValueError(f"The rule {name!r} is registered twice.")
    RULES[name] = Rule(name, test, refused)
    return RULES[name]


def _rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise LookupError(f"No rule is named {name!r}: add it to schooldesk/permissions/rules.py.") from None


def can(user, name: str, obj=None) -> bool:
    """Whether `user` may do the action `name` on `obj` (in some school when `obj` is None)."""
    found = _rule(name)
    if user is None:  # the desk itself: a task, a command
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(found.test(access_for(user), user, obj))


def require(by, name: str, obj=None, message=None) -> None:
    """Refuse (PermissionDenied with the rule's own words, or `message`) unless `by` may do `name` on `obj`."""
    if not can(by, name, obj):
        raise PermissionDenied(message or _rule(name).refused)


def refusal(name: str) -> str:
    """The words a refusal of `name` carries."""
    return _rule(name).refused


def school_id_of(obj) -> int | None:
    """The school an action's object is in: a record's `school_id`, a School's pk, an id; None for none."""
    if obj is None or isinstance(obj, int):
        return obj
    school_id = getattr(obj, "school_id", None)
    if school_id is not None:
        return school_id
    if obj.__class__.__name__ == "School":
        return obj.pk
    return None
