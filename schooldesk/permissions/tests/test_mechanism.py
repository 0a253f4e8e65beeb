"""The permissions mechanism (core/permissions.py): one rule per action, asked the same way by a service, a view
and a template, refusing with the rule's own words."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import engines
from django.test import RequestFactory

from schooldesk.core import permissions
from schooldesk.core.roles import DESK_ROLES
from schooldesk.permissions.rules import holds


@pytest.fixture
def desk_rule():
    permissions.rule("tests.desk_only", holds(DESK_ROLES), "Only the desk may.")
    yield "tests.desk_only"
    permissions.RULES.pop("tests.desk_only")


def test_a_rule_answers_per_school_and_in_some_school(cast, other, desk_rule):
    assert permissions.can(cast.spoc, desk_rule, cast.school)
    assert permissions.can(cast.spoc, desk_rule, cast.school.pk)
    assert permissions.can(cast.spoc, desk_rule)  # in some school: the menu, a list's Add button
    assert not permissions.can(cast.spoc, desk_rule, other.school)  # not in another school
    assert not permissions.can(cast.technician, desk_rule, cast.school)
    assert not permissions.can(cast.technician, desk_rule)


def test_a_refusal_carries_the_rules_own_words_and_the_desk_itself_may(cast, desk_rule):
    with pytest.raises(PermissionDenied, match="Only the desk may."):
        permissions.require(cast.technician, desk_rule, cast.school)
    permissions.require(None, desk_rule, cast.school)  # a task or a command acts as the desk
    permissions.require(cast.spoc, desk_rule, cast.school)


def test_an_unknown_name_is_a_mistake_not_a_refusal(cast):
    with pytest.raises(LookupError, match="schooldesk/permissions/rules.py"):
        permissions.can(cast.spoc, "tests.no_such_action")


def test_a_name_is_registered_once(desk_rule):
    with pytest.raises(ValueError):
        permissions.rule(desk_rule, holds(DESK_ROLES))


def test_a_template_asks_the_same_rule(cast, desk_rule):
    template = engines["django"].from_string(
        '{% load desk_permissions %}{% can "tests.desk_only" school as may %}{% if may %}yes{% else %}no{% endif %}'
    )
    for user, expected in ((cast.spoc, "yes"), (cast.technician, "no")):
        request = RequestFactory().get("/")
        request.user = user
        assert template.render({"school": cast.school}, request) == expected
