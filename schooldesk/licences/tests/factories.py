import factory

from schooldesk.licences.models import Licence
from schooldesk.licences.services import licence_save


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    product = factory.Sequence(lambda n: f"Product {n}")
    publisher = "Publisher Ltd"
    licence_type = "per_device"
    quantity = 10

    @classmethod
    def _create(cls, model_class, *args, school, by=None, proof=None, **kwargs):
        return licence_save(licence=model_class(school=school, **kwargs), by=by, proof=proof)
