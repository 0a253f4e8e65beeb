import random

import factory
from faker.providers.person.en_GB import Provider as BritishNames

from schooldesk.accounts.models import Membership, User

# Names like the ones schools have, with no apostrophes (a test finding a name on a page need not think of HTML
# escaping), and within one test never two people with the same surname nor one surname inside another: such
# names made tests pass or fail by chance.
_SURNAMES = [name for name in BritishNames.last_names if name.isalpha()]
_SURNAMES = [name for name in _SURNAMES if not any(name != other and name in other for other in _SURNAMES)]
random.Random(2026).shuffle(_SURNAMES)
_FIRST_NAMES = sorted(
    {name for name in (*BritishNames.first_names_female, *BritishNames.first_names_male) if name.isalpha()}
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("random_element", elements=_FIRST_NAMES)
    last_name = factory.Sequence(lambda n: _SURNAMES[n % len(_SURNAMES)])
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.sch.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "reporter"
