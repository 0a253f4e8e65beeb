from schooldesk.schools.models import Closure, Term

SECTION = "schools"
PK = "school"
PARAMS = {"entry_pk": lambda route: "closure" if "closures" in route else "term"}


def build(cast, secret):
    return {
        "school": cast.school,
        "term": Term.objects.create(
            school=cast.school, name=f"{secret} term", starts_on="2026-09-01", ends_on="2026-12-18"
        ),
        "closure": Closure.objects.create(
            school=cast.school, name=f"{secret} INSET", starts_on="2026-09-01", ends_on="2026-09-01"
        ),
    }
