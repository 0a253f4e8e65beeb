import factory

from schooldesk.accounts.models import Pupil
from schooldesk.loans.agreements import agreement_template_save

AGREEMENT = (
    "We, the parent or carer of {pupil_name} ({form}), agree to look after {device}, serial {serial}, lent "
    "by {school} on {issued_on}, and to return it by {due_on}."
)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    first_name = factory.Sequence(lambda n: f"Pupil{n:03d}")
    last_name = factory.Sequence(lambda n: f"Surname{n:03d}")
    year_group = "Year 7"
    form = "7B"
    parent_name = factory.LazyAttribute(lambda p: f"Parent of {p.first_name}")


def agreement_template(school, by=None, body=AGREEMENT):
    return agreement_template_save(school=school, title="Home device agreement", body=body, by=by)


def walk_pages(cast) -> list[str]:
    """For the form walk: the pages whose forms only some states offer (a class to scan for, an unsigned loan)."""
    PupilFactory(school=cast.school, form="Walk 7W", year_group="Year 7")
    return ["/loans/scan/?group=form:Walk+7W", f"/loans/{unsigned_loan(cast).pk}/agreement/"]


def unsigned_loan(cast):
    from schooldesk.assets.tests.factories import AssetFactory
    from schooldesk.loans.services import loan_issue

    pupil = PupilFactory(school=cast.school, first_name="Amara", last_name="Okafor", parent_name="Grace Okafor")
    return loan_issue(asset=AssetFactory(school=cast.school, tag="CB-UNSIGNED"), pupil=pupil, by=None)
