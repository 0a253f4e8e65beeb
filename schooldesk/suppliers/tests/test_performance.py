"""Supplier performance: response and fix times of escalated calls, in the contract's support hours
(weekends and bank holidays do not count) and against its targets per priority."""

import re
from datetime import date, datetime

import pytest

from schooldesk.core.calendar import LONDON
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.services import incident_escalate, incident_reply, incident_supplier_reference_set
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.suppliers.choices import ContractStatus
from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.selectors import supplier_performance

from .factories import make_contract

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def escalated(cast, when, summary):
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=summary)
    incident = incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier)
    Incident.objects.filter(pk=incident.pk).update(escalated_at=when)
    incident.refresh_from_db()
    assert incident.priority == "P4"
    return incident


def answered(update, when):
    IncidentUpdate.objects.filter(pk=update.pk).update(created_at=when)


@pytest.fixture
def contract(cast):
    # Support Monday to Friday 08:00–17:00; P4: respond within 1 h 40 min, fix within 10 h of support time.
    return make_contract(cast, starts_on=date(2026, 9, 1), targets={"P4": {"respond": 100, "fix": 600}})


def test_times_are_counted_in_support_hours_against_the_targets(cast, contract):
    # A: escalated Friday 16:00, the provider answers Monday 09:00 (2 h: missed), fixed Monday 12:00 (5 h: met).
    a = escalated(cast, at(2026, 11, 6, 16), "Server down")
    answered(incident_reply(incident=a, by=cast.provider, body="Looking at it"), at(2026, 11, 9, 9))
    Incident.objects.filter(pk=a.pk).update(resolved_at=at(2026, 11, 9, 12))
    # B: escalated Tuesday 10:00, the desk records the supplier's own reference at 10:30 (their
    # acknowledgement: met); fixed Wednesday 16:00 (15 h: missed).
    b = escalated(cast, at(2026, 11, 10, 10), "Wi-Fi drops")
    incident_supplier_reference_set(incident=b, by=cast.spoc, reference="NBC-123456")
    IncidentUpdate.objects.filter(incident=b, field="supplier_reference").update(created_at=at(2026, 11, 10, 10, 30))
    Incident.objects.filter(pk=b.pk).update(resolved_at=at(2026, 11, 11, 16))
    # C: escalated Thursday 24 December 16:00, answered Tuesday 29 December 08:30: Christmas Day and the
    # Boxing Day substitute (Monday 28th) are bank holidays, so only 1 h 30 min of support time (met).
    c = escalated(cast, at(2026, 12, 24, 16), "Printer queue stuck")
    answered(incident_reply(incident=c, by=cast.provider, body="Remote session booked"), at(2026, 12, 29, 8, 30))
    # D: before the contract started: not counted against it.
    escalated(cast, at(2026, 8, 20, 10), "Old call")
    # A note by the desk (not the supplier) after escalation is not the supplier's response.
    answered(incident_reply(incident=c, by=cast.spoc, body="Chased", is_public=False), at(2026, 12, 24, 16, 5))

    result = supplier_performance(
        user=cast.owner, supplier_id=cast.supplier.pk, contracts=[contract], today=date(2027, 1, 10)
    )
    [(_, row)] = result["contracts"]
    assert (row["calls"], row["open"], row["responded"], row["resolved"]) == (3, 1, 3, 2)
    assert (row["response_met"], row["response_targeted"], row["response_rate"]) == (2, 3, 67)
    assert (row["fix_met"], row["fix_targeted"], row["fix_rate"]) == (1, 2, 50)
    assert row["response_minutes"] == 120 + 30 + 90 and row["fix_minutes"] == 300 + 900
    assert result["uncovered"]["calls"] == 1


def test_the_pages_show_the_figures_and_another_school_sees_none(cast, other, contract, client):
    a = escalated(cast, at(2026, 11, 6, 16), "Server down")
    answered(incident_reply(incident=a, by=cast.provider, body="Looking at it"), at(2026, 11, 9, 9))
    client.force_login(cast.owner)
    page = client.get(f"/suppliers/contracts/{contract.pk}/").content.decode()
    assert "Supplier performance" in page and "0% <span" in page  # 2 h against 1 h 40 min
    assert 'Average response</dt><dd class="col-5">2 hours</dd>' in page
    supplier_page = client.get(f"/suppliers/{cast.supplier.pk}/").content.decode()
    assert contract.reference in supplier_page and "2 hours" in supplier_page
    client.force_login(other.owner)
    assert client.get(f"/suppliers/contracts/{contract.pk}/").status_code == 404


def test_the_times_recorded_on_the_call_are_what_the_targets_measure(cast, contract):
    from schooldesk.incidents.services import incident_record_supplier_times

    # Escalated Monday 09:00. The supplier rang back at 10:00 (1 h: met) and fixed it Tuesday 11:00
    # (11 h of support time: missed); the desk only resolved the call on Friday, after the teacher confirmed.
    a = escalated(cast, at(2026, 11, 9, 9), "Projector bulb gone in Room 4")
    incident_record_supplier_times(
        incident=a,
        by=cast.technician,
        version=a.version,
        responded_at=at(2026, 11, 9, 10),
        fixed_at=at(2026, 11, 10, 11),
    )
    Incident.objects.filter(pk=a.pk).update(resolved_at=at(2026, 11, 13, 15))
    # A fix recorded with no response recorded: the fix was their first response (2 h: missed; fix met).
    b = escalated(cast, at(2026, 11, 16, 9), "Interactive whiteboard pen not working")
    incident_record_supplier_times(
        incident=b, by=cast.spoc, version=b.version, responded_at=None, fixed_at=at(2026, 11, 16, 11)
    )

    [(_, row)] = supplier_performance(
        user=cast.spoc, supplier_id=cast.supplier.pk, contracts=[contract], today=date(2027, 1, 10)
    )["contracts"]
    assert (row["calls"], row["open"], row["responded"], row["resolved"]) == (2, 0, 2, 2)
    assert row["response_minutes"] == 60 + 120 and row["fix_minutes"] == 660 + 120
    assert (row["response_met"], row["response_targeted"], row["fix_met"], row["fix_targeted"]) == (1, 2, 1, 2)


def test_an_email_from_the_supplier_is_their_first_response(cast, contract, django_capture_on_commit_callbacks):
    from schooldesk.mail.intake import inbound_process
    from schooldesk.mail.services import inbound_store
    from schooldesk.mail.tests.factories import MailboxFactory, raw_email

    # The supplier answers from its escalation address, which is no one's login: the note has no author.
    mailbox = MailboxFactory(school=cast.school, address="desk@oak.sch.uk")
    a = escalated(cast, at(2026, 11, 10, 10), "Wi-Fi drops in the library")
    with django_capture_on_commit_callbacks(execute=True):
        message, _stored = inbound_store(
            mailbox=mailbox,
            raw=raw_email(
                sender=cast.supplier.email, to=mailbox.address, subject=f"Re: [{a.reference}]", body="Engineer booked."
            ),
        )
        message = inbound_process(message)
    note = a.updates.get(body__contains="Engineer booked.")
    assert note.author is None
    answered(note, at(2026, 11, 10, 11, 30))

    [(_, row)] = supplier_performance(
        user=cast.spoc, supplier_id=cast.supplier.pk, contracts=[contract], today=date(2027, 1, 10)
    )["contracts"]
    assert (row["responded"], row["response_minutes"], row["response_met"]) == (1, 90, 1)


def test_a_contract_counts_only_the_calls_escalated_while_it_was_in_force(cast, client):
    # Last year's contract (ended 31/08/2026) and this year's, with different targets for P4.
    old = make_contract(
        cast,
        name="Support 2025-26",
        starts_on=date(2025, 9, 1),
        today=date(2025, 9, 1),
        targets={"P4": {"respond": 60, "fix": 600}},
    )
    Contract.objects.filter(pk=old.pk).update(status=ContractStatus.EXPIRED)
    new = make_contract(
        cast, name="Support 2026-27", starts_on=date(2026, 9, 1), targets={"P4": {"respond": 240, "fix": 600}}
    )
    # Before either contract; under the old one (answered in 2 h); under the new one (answered in 2 h).
    escalated(cast, at(2025, 7, 14, 10), "Laptop trolley not charging")
    old_call = escalated(cast, at(2025, 10, 6, 10), "Projector bulb gone")
    answered(incident_reply(incident=old_call, by=cast.provider, body="Bulb ordered"), at(2025, 10, 6, 12))
    new_call = escalated(cast, at(2026, 11, 9, 10), "Projector bulb gone again")
    answered(incident_reply(incident=new_call, by=cast.provider, body="Bulb ordered"), at(2026, 11, 9, 12))

    client.force_login(cast.spoc)
    page = client.get(f"/suppliers/contracts/{old.pk}/").content.decode()
    # More than a year ago, and still counted: the contract's page covers the whole time it was in force.
    assert "while this contract was in force (01/09/2025 to 31/08/2026)" in page
    assert perf(page) == {"Calls escalated": "1 (1 still open)", "Responded within target": "0% (0 of 1)"}
    page = client.get(f"/suppliers/contracts/{new.pk}/").content.decode()
    assert perf(page) == {"Calls escalated": "1 (1 still open)", "Responded within target": "100% (1 of 1)"}

    result = supplier_performance(
        user=cast.spoc,
        supplier_id=cast.supplier.pk,
        contracts=[new, old],
        today=date(2026, 12, 1),
        since=date(2025, 1, 1),
    )
    assert [(c.name, row["calls"], row["response_met"]) for c, row in result["contracts"]] == [
        ("Support 2026-27", 1, 1),
        ("Support 2025-26", 1, 0),
    ]
    assert result["uncovered"]["calls"] == 1


def perf(page: str) -> dict:
    """The first two figures of the contract page's performance card, as a person reads them."""
    section = page[page.index('id="perf-h"') :]
    section = section[: section.index("</section>")]
    terms = re.findall(r'<dt class="col-7">([^<]+)</dt><dd class="col-5">(.*?)</dd>', section)
    text = {term: re.sub(r"<[^>]+>", "", value).replace("  ", " ").strip() for term, value in terms}
    return {k: text[k] for k in ("Calls escalated", "Responded within target")}
