import factory

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.problems.models import Problem
from schooldesk.problems.services import problem_create, problem_known_error


class ProblemFactory(factory.django.DjangoModelFactory):
    """Raised through the service, as a person would raise it."""

    class Meta:
        model = Problem

    title = factory.Sequence(lambda n: f"Wi-Fi drops in room {n}")

    @classmethod
    def _create(cls, model_class, *args, school, by=None, **kwargs):
        return problem_create(school=school, by=by, **kwargs)


def known_error(
    school, *, workaround="Turn the laptop's Wi-Fi off and on again.", audience="desk", **kwargs
) -> Problem:
    problem = ProblemFactory(school=school, **kwargs)
    return problem_known_error(
        problem=problem, by=None, version=problem.version, workaround=workaround, audience=audience
    )


def repeat_calls(cast, n=3, **kwargs):
    """`n` calls logged by the reporter about the same thing (the same place unless told otherwise)."""
    return [IncidentFactory(school=cast.school, by=cast.reporter, **kwargs) for _ in range(n)]
