"""One way a connection is given to a school or to an organisation as a whole (core.forms.SchoolOrOrganisationMixin),
for the five kinds of connection: a one-school owner is asked for neither; an LA's officer chooses one of the two,
and is told so in the form's own words when they choose both or neither."""

import pytest

from schooldesk.accounts.forms import SignInConnectionForm
from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.devicesync.forms import ConnectionForm as ConsoleForm
from schooldesk.directory.forms import ConnectionForm as DirectoryForm
from schooldesk.mail.forms import MailboxForm
from schooldesk.webhooks.forms import SubscriptionForm

pytestmark = pytest.mark.django_db

FORMS = [
    (SignInConnectionForm, "for a tenant all its schools share"),
    (ConsoleForm, "for a console of every school"),
    (DirectoryForm, "for a directory shared by its schools"),
    (MailboxForm, "for a mailbox shared by all its schools"),
    (SubscriptionForm, "for every school's events"),
]


@pytest.mark.parametrize("form_class, words", FORMS, ids=[f.__module__.split(".")[1] for f, _w in FORMS])
def test_a_one_school_owner_is_asked_for_neither(cast, form_class, words):
    form = form_class(user=cast.owner)
    assert "school" not in form.fields and "organisation" not in form.fields
    assert form.owner == cast.school


@pytest.mark.parametrize("form_class, words", FORMS, ids=[f.__module__.split(".")[1] for f, _w in FORMS])
def test_an_officer_chooses_a_school_or_the_organisation_one_of_the_two(cast, other, form_class, words):
    officer = UserFactory(username="la-officer")
    organisation = cast.school.organisation
    Membership.objects.create(user=officer, organisation=organisation, role="owner")
    Membership.objects.create(user=officer, organisation=organisation, role="spoc")
    form = form_class(user=officer)
    assert list(form.fields["organisation"].queryset) == [organisation]
    assert list(form.fields["school"].queryset) == [cast.school]  # never the other organisation's school
    assert form.fields["school"].required is False
    for chosen in ({"school": cast.school.pk, "organisation": organisation.pk}, {}):
        form = form_class(data=chosen, user=officer)
        form.is_valid()
        assert any(words in error for error in form.errors.get("school", [])), form.errors
    form = form_class(data={"organisation": organisation.pk}, user=officer)
    form.is_valid()
    assert "school" not in form.errors
