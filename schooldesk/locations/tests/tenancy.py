from schooldesk.locations.models import Location

SECTION = "locations"
PK = "location"
PARAMS = {"location_pk": "location"}


def build(cast, secret):
    return {"location": Location.objects.create(school=cast.school, name=f"{secret} room")}
