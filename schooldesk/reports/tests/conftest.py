"""A school with a term of everything the service report counts, and another school's data beside it."""

import pytest

from schooldesk.reports.tests.factories import build_world


@pytest.fixture
def world(cast, other):
    built = build_world(cast)
    other_world = build_world(other)  # the same again in another school: never counted for `cast`
    assert other_world.calls
    return built
