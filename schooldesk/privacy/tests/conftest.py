"""A teacher of the ONE school (the cast's reporter) whom the desk knows in every way: calls reported on the web
and by phone, a timeline, an attachment, emails in and out, a laptop issued, a licence seat, audit entries; and
another person's call that must never be found."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.assets.services import asset_issue
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.services import incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.licences.services import allocation_add
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.mail.choices import Purpose
from schooldesk.mail.models import Mailbox, OutboundMessage
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import raw_email

TEACHER_EMAIL = "r.ellis@oak.example"


@dataclass
class TeacherWorld:
    teacher: object
    web_call: object
    phone_call: object
    other_call: object
    asset: object
    inbound: object


def add_calls(cast, teacher, n: int):
    png = SimpleUploadedFile("charger.png", b"\x89PNG\r\n\x1a\nCHARGER", content_type="image/png")
    calls = []
    for i in range(n):
        call = IncidentFactory(
            school=cast.school, by=teacher, summary=f"Laptop {i} will not charge", files=[png] if i == 0 else []
        )
        incident_reply(incident=call, by=cast.spoc, body="Ruth, please try the spare charger.")
        calls.append(call)
    return calls


def add_loans(cast, teacher, n: int):
    """Laptops lent to the teacher and brought back, each with a charge for a lost charger."""
    from decimal import Decimal

    from schooldesk.assets.services import asset_return
    from schooldesk.loans.charges import charge_raise
    from schooldesk.loans.services import loan_issue

    for i in range(n):
        asset = AssetFactory(school=cast.school, tag=f"OAK-SPARE-{i}-{teacher.pk}")
        loan = loan_issue(asset=asset, person=teacher, by=cast.spoc)
        charge_raise(loan=loan, by=cast.spoc, reason="charger", description="Charger lost", amount=Decimal("15"))
        asset_return(asset=asset, by=cast.spoc)


@pytest.fixture
def teacher_world(cast) -> TeacherWorld:
    teacher = cast.reporter
    teacher.first_name, teacher.last_name, teacher.email = "Ruth", "Ellis", TEACHER_EMAIL
    teacher.save()
    web_call = add_calls(cast, teacher, 1)[0]
    phone_call = IncidentFactory(
        school=cast.school,
        by=cast.spoc,
        summary="Cannot print the register",
        reporter_name="Ruth Ellis",
        reporter_contact=TEACHER_EMAIL,
        channel="phone",
    )
    other_call = IncidentFactory(school=cast.school, by=cast.technician, summary="Hall projector is dim")
    mailbox = Mailbox.objects.create(
        school=cast.school, name="Oak desk", host="imap.example", address="desk@oak.example", username="desk"
    )
    inbound, _new = inbound_store(
        mailbox=mailbox,
        raw=raw_email(
            sender=TEACHER_EMAIL,
            name="Ruth Ellis",
            to=mailbox.address,
            subject="Whiteboard pen lost",
            body="Hello from Ruth Ellis",
        ),
    )
    inbound.school = cast.school
    inbound.save(update_fields=["school"])
    OutboundMessage.objects.create(
        school=cast.school,
        incident=web_call,
        purpose=Purpose.CALL_UPDATED,
        dedupe_key="t1",
        to_address=TEACHER_EMAIL,
        recipient=teacher,
        from_address="desk@oak.example",
        subject="Your call was updated",
        body_text="Dear Ruth Ellis, your laptop is ready.",
        message_id="<sar1@oak.example>",
    )
    asset = AssetFactory(school=cast.school, tag="OAK-LAP-7")
    asset_issue(asset=asset, person=teacher, by=cast.spoc, loan_due_on=datetime.date(2027, 7, 23))  # a loan: a date
    licence = LicenceFactory(school=cast.school, product="Spelling Shed", licence_type="per_user", quantity=30)
    allocation_add(licence=licence, by=cast.owner, person=teacher)
    return TeacherWorld(
        teacher=teacher, web_call=web_call, phone_call=phone_call, other_call=other_call, asset=asset, inbound=inbound
    )


@dataclass
class PupilWorld:
    pupil: object
    loan: object
    charge: object
    other_pupil: object
    signature: bytes


@pytest.fixture
def pupil_world(cast) -> PupilWorld:
    """A Year 10 pupil of the device scheme whose Chromebook's agreement her mother signed on screen and whose
    family was charged for a cracked screen; and another pupil with a loan and a charge that must never be found."""
    import base64
    from decimal import Decimal

    from schooldesk.loans.agreements import agreement_sign
    from schooldesk.loans.charges import charge_raise
    from schooldesk.loans.services import loan_issue
    from schooldesk.loans.tests.factories import PupilFactory, agreement_template
    from schooldesk.loans.tests.tenancy import png_bytes

    agreement_template(cast.school, by=cast.spoc)
    signature = png_bytes()
    pupil = PupilFactory(
        school=cast.school,
        first_name="Amara",
        last_name="Okafor",
        year_group="Year 10",
        form="10K",
        mis_id="MIS-8812",
        parent_name="Grace Okafor",
        parent_email="grace.okafor@home.example",
    )
    loan = loan_issue(asset=AssetFactory(school=cast.school, tag="CB-0042"), pupil=pupil, by=cast.spoc)
    agreement_sign(
        loan=loan,
        by=cast.spoc,
        signer_name="Grace Okafor",
        relationship="parent",
        method="drawn",
        signature="data:image/png;base64," + base64.b64encode(signature).decode(),
    )
    charge = charge_raise(
        loan=loan, by=cast.spoc, reason="damage", description="Screen cracked when dropped", amount=Decimal("45.00")
    )
    other_pupil = PupilFactory(school=cast.school, first_name="Ben", last_name="Hollis", parent_name="Sam Hollis")
    other_loan = loan_issue(asset=AssetFactory(school=cast.school, tag="CB-0077"), pupil=other_pupil, by=cast.spoc)
    charge_raise(loan=other_loan, by=cast.spoc, reason="loss", description="Left on the bus", amount=Decimal("120.00"))
    return PupilWorld(pupil=pupil, loan=loan, charge=charge, other_pupil=other_pupil, signature=signature)
