import factory

from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_create
from schooldesk.locations.models import Location


class IncidentFactory(factory.django.DjangoModelFactory):
    """Logged through the service, as a person would log it."""

    class Meta:
        model = Incident

    summary = factory.Sequence(lambda n: f"Projector {n} shows no picture")

    @classmethod
    def _create(cls, model_class, *args, school, by, location=None, **kwargs):
        location = location or Location.objects.filter(school=school).first()
        return incident_create(school=school, location=location, by=by, **kwargs)
