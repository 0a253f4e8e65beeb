"""Every editable record detects a concurrent edit (docs/decisions/0014): two people open the same edit page, the
second saves first; the first person's save, sent as their page rendered it, is refused with a message in words,
what they typed is still on the page, nothing of the other person's is lost; saving again (the re-drawn page now
carries the current version) keeps theirs. One mechanism: `core/concurrency.py` and `VersionedFormMixin`."""

import pytest
from django.apps import apps

from schooldesk.core.tests.pages import rendered_form
from schooldesk.core.tests.test_tenancy import oak_world  # noqa: F401 - one of every record

pytestmark = pytest.mark.django_db

STALE = "Someone else saved this"
# record (the tenancy world's key), its edit page, the action the form posts to (None: the page itself), the
# field a person changes (a function of the page's form data for computed names)
RECORDS = [
    ("location", "/locations/{pk}/edit/", None, "name"),
    ("asset", "/assets/{pk}/edit/", None, "notes"),
    ("asset_type", "/assets/types/{pk}/edit/", None, "name"),
    ("change_request", "/changes/{pk}/edit/", None, "title"),
    ("standard_change", "/changes/standard/{pk}/edit/", None, "title"),
    ("problem", "/problems/{pk}/edit/", None, "title"),
    ("mailbox", "/mail/mailboxes/{pk}/", None, "name"),
    ("supplier", "/suppliers/{pk}/edit/", None, "name"),
    ("contact", "/suppliers/{supplier}/contacts/{pk}/edit/", None, "name"),
    ("contract", "/suppliers/contracts/{pk}/edit/", None, "name"),
    ("diary_entry", "/diary/{pk}/edit/", None, "title"),
    ("payment", "/diary/payments/{pk}/edit/", None, "description"),
    ("licence", "/licences/{pk}/edit/", None, "notes"),
    ("school", "/schools/{pk}/", "/settings/", "s-name"),
    ("school", "/schools/{pk}/", "/priorities/", "m-t_P1_respond"),
]
VALUES = {"m-t_P1_respond": ("3.50", "2.25")}  # the other person's, then mine
SHARED = {"supplier", "contact"}  # the organisation's records: changed by its officers (decision 0016)


def officer(cast):
    """An ICT owner across the school's whole organisation."""
    from schooldesk.accounts.models import Membership

    person = type(cast.owner).objects.create(username="org-officer", first_name="Olu", last_name="Officer")
    Membership.objects.create(user=person, organisation=cast.school.organisation, role="owner")
    return person


@pytest.mark.parametrize("key, page, action, field", RECORDS, ids=[f"{r[0]}{r[2] or ''}" for r in RECORDS])
def test_a_save_from_a_page_opened_before_someone_else_saved_is_refused_and_loses_nothing(
    oak_world, cast, client, key, page, action, field
):  # noqa: F811
    record = oak_world[0][key]
    url = page.format(pk=record.pk, supplier=getattr(record, "supplier_id", ""))
    client.force_login(officer(cast) if key in SHARED else cast.owner)
    target, mine = rendered_form(client, url, action or url)
    _target, theirs = rendered_form(client, url, action or url)
    assert "version" in {name.split("-")[-1] for name in mine}, f"the edit form of {key} carries no version"
    their_value, my_value = VALUES.get(field, ("Changed by someone else", "What I typed"))
    theirs[field], mine[field] = their_value, my_value

    assert client.post(target, theirs).status_code == 302, "the other person's save"
    refused = client.post(target, mine)
    html = refused.content.decode()
    assert refused.status_code == 400 and STALE in html, f"{key}: a stale save was not refused"
    assert my_value in html, f"{key}: what the person typed is lost"
    model = apps.get_model(record._meta.app_label, record._meta.model_name)
    fresh = model.objects.get(pk=record.pk)
    stored = {"m-t_P1_respond": lambda: str(fresh.sla_targets["P1"]["respond"] / 60)}.get(
        field, lambda: getattr(fresh, field.split("-")[-1])
    )()
    assert stored in (their_value, "3.5"), f"{key}: the other person's save was overwritten"

    again = client.post(target, {**mine, **_version_now(html, mine)})
    assert again.status_code == 302, f"{key}: saving again after reading the message did not save"


def _version_now(html: str, data: dict) -> dict:
    """The version the re-drawn page carries (the record's current one), and its fresh form token."""
    import re

    found = {}
    for name in data:
        if name.split("-")[-1] in ("version", "form_token"):
            match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(
                rf'value="([^"]*)" name="{name}"', html
            )
            if match:
                found[name] = match.group(1)
    return found


def test_a_proposal_drawn_from_a_procedure_text_since_replaced_is_refused(cast, client):
    """A procedure's text changes by proposal and authorisation: a proposal drawn from the text before the latest
    authorisation would quietly undo it."""
    from schooldesk.procedures.models import Procedure
    from schooldesk.procedures.services import procedure_create, procedure_decide, procedure_propose

    first = procedure_create(school=cast.school, by=None, title="Logging a call", body="1. Log it.")
    procedure_decide(version=first, by=None, authorise=True)
    procedure = first.procedure
    client.force_login(cast.spoc)
    target, mine = rendered_form(client, f"/procedures/{procedure.pk}/propose/", f"/procedures/{procedure.pk}/propose/")
    newer = procedure_propose(
        procedure=procedure, by=None, title="Logging a call", body="1. Log it at once.", note="Sooner"
    )
    procedure_decide(version=newer, by=None, authorise=True)
    mine.update(body="1. Log it.\n2. Tell the caller.", note="Tell them")
    refused = client.post(target, mine)
    assert refused.status_code == 400 and "A new text of this procedure was authorised" in refused.content.decode()
    assert "Tell the caller" in refused.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).current_version.body == "1. Log it at once."
    assert not procedure.versions.filter(status="proposed").exists()


def test_a_budget_set_from_a_page_drawn_before_someone_else_set_it_is_refused(cast, client):
    from schooldesk.budgets.models import Budget
    from schooldesk.budgets.services import budget_set

    client.force_login(cast.owner)
    page = f"/budgets/{cast.school.pk}/"
    target, mine = rendered_form(client, page, page)
    year = int(mine["year"])
    budget_set(school=cast.school, year=year, amounts={"hardware": "5000"}, by=cast.owner)
    mine["hardware"] = "1200"
    refused = client.post(target, mine)
    assert refused.status_code == 400 and STALE in refused.content.decode()
    assert 'value="1200"' in refused.content.decode()
    assert Budget.objects.get(school=cast.school, year=year, category="hardware").amount == 5000
    again = client.post(target, {**mine, **_version_now(refused.content.decode(), mine)})
    assert again.status_code == 302
    assert Budget.objects.get(school=cast.school, year=year, category="hardware").amount == 1200


def test_a_payment_edited_on_a_page_opened_before_it_was_marked_paid_is_refused(oak_world, cast, client):  # noqa: F811
    """Not only the edit form moves the version: marking a payment paid does, so an edit page drawn while it was
    unpaid cannot quietly blank its paid date."""
    import datetime

    from schooldesk.diary.models import Payment
    from schooldesk.diary.services import payment_mark_paid

    payment = oak_world[0]["payment"]
    client.force_login(cast.owner)
    target, mine = rendered_form(client, f"/diary/payments/{payment.pk}/edit/", f"/diary/payments/{payment.pk}/edit/")
    paid_on = datetime.date.today()
    payment_mark_paid(payment=Payment.objects.get(pk=payment.pk), by=cast.spoc, paid_on=paid_on, reference="BACS 42")
    mine["description"] = "Renamed on an old page"
    refused = client.post(target, mine)
    assert refused.status_code == 400 and STALE in refused.content.decode()
    assert Payment.objects.get(pk=payment.pk).paid_on == paid_on
