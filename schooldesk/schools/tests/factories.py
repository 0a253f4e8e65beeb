import factory

from schooldesk.schools.models import Organisation, School
from schooldesk.schools.services import school_create


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Borough Council {n}")
    kind = "la"


class SchoolFactory(factory.django.DjangoModelFactory):
    """Made through the service, so every school has its preset locations and categories."""

    class Meta:
        model = School

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test School {n}")
    phase = "primary"
    governance = "maintained"
    is_term_time_only = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return school_create(**kwargs)
