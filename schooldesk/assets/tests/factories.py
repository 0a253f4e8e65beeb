import factory

from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.services import asset_save, asset_types_ensure


def asset_type(school, name="Laptop") -> AssetType:
    asset_types_ensure(school=school)
    return AssetType.objects.get(school=school, name=name)


class AssetFactory(factory.django.DjangoModelFactory):
    """Saved through the service, as a person would add it (its history starts with "added")."""

    class Meta:
        model = Asset

    tag = factory.Sequence(lambda n: f"TAG-{n:04d}")
    make = "Dell"
    model = "Latitude 3440"

    @classmethod
    def _create(cls, model_class, *args, school, by=None, type_name="Laptop", **kwargs):
        kwargs.setdefault("asset_type", asset_type(school, type_name))
        return asset_save(asset=model_class(school=school, **kwargs), by=by)
