"""Subject access and erasure reach the device scheme (schooldesk/loans): a pupil found by the DPO's search brings
their pupil record, their loans with the signed agreements (the signature's file in the ZIP) and the charges; a
member of staff's loans stay in the pack after the device came back; a parent who signed finds the record naming
them and the agreement; pseudonymising a pupil renames them there too. Nobody else's loans are ever found."""

import datetime
import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.utils import timezone

from schooldesk.accounts.models import Pupil
from schooldesk.assets.services import asset_return
from schooldesk.core.tests.pages import forms_in, sent
from schooldesk.loans.models import Agreement, Charge, Loan
from schooldesk.privacy.selectors import person_records
from schooldesk.privacy.services import person_pseudonymise, sar_create, sar_subject_set
from schooldesk.privacy.tests.test_subject_access import post_as_rendered

pytestmark = pytest.mark.django_db


def request_for(cast, name, email=""):
    return sar_create(
        school=cast.school,
        by=cast.dpo,
        requested_by=f"{name}'s family",
        subject_name=name,
        subject_email=email,
        received_on=timezone.localdate() - datetime.timedelta(days=1),
    )


def titles(records):
    return {kind: [item.title for item in items] for kind, items in records.groups.items()}


def test_the_dpo_finds_a_pupil_and_the_pack_holds_their_record_loans_agreement_and_charges(cast, login, pupil_world):
    sar = request_for(cast, "Amara Okafor")
    client = login(cast.dpo)
    page = f"/privacy/requests/{sar.pk}/?q=amara"
    html = client.get(page).content.decode()
    assert "Choose Amara Okafor" in html and "10K" in html and "Ben Hollis" not in html
    response = post_as_rendered(client, page, "/subject/", button_text="Choose Amara Okafor")
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.subject_pupil == pupil_world.pupil and sar.subject_user is None

    found = titles(person_records(request=sar))
    assert found["pupil"] == ["Amara Okafor (10K)"]
    assert [t.split(" (")[0] for t in found["loan"]] == ["CB-0042 Dell Latitude 3440"]
    assert found["charge"] == [f"{pupil_world.charge.reference}: £45.00 (Damage)"]
    assert "CB-0077" not in json.dumps(found)  # another pupil's loan and charge
    detail = client.get(f"/privacy/requests/{sar.pk}/").content.decode()
    assert "Pupil record (1)" in detail and "Device loans and agreements (1)" in detail
    assert "Charges for devices (1)" in detail

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/privacy/requests/{sar.pk}/pack/?format=zip").content))
    (pupil,) = json.loads(archive.read("pupil.json"))
    assert pupil["mis_id"] == "MIS-8812" and pupil["parent_or_carer"] == "Grace Okafor"
    (loan,) = json.loads(archive.read("loan.json"))
    assert loan["device"] == "CB-0042" and loan["signed_by"] == "Grace Okafor"
    assert loan["signed_as"] == "Parent or carer"
    assert "Amara Okafor" in loan["agreement_text"]
    assert archive.read(loan["signature_file"]) == pupil_world.signature  # the drawn signature itself
    assert "signed_by" in archive.read("loan.csv").decode().splitlines()[0]
    (charge,) = json.loads(archive.read("charge.json"))
    assert charge["what_happened"] == "Screen cracked when dropped" and charge["amount"] == "45.00"
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Hollis" not in everything and b"Left on the bus" not in everything

    pdf = client.get(f"/privacy/requests/{sar.pk}/pack/?format=pdf").content
    assert pdf.startswith(b"%PDF")
    if pdftotext := shutil.which("pdftotext"):
        text = subprocess.run(
            [pdftotext, "-layout", "-", "-"],
            input=pdf,
            capture_output=True,  # noqa: S603
            check=True,
        ).stdout.decode()
        assert "Pupil record" in text and "CB-0042" in text and "Screen cracked when dropped" in text
        assert "Hollis" not in text


def test_a_pupils_exempt_charge_is_left_out_of_the_pack(cast, login, pupil_world):
    sar = sar_subject_set(request=request_for(cast, "Amara Okafor"), by=cast.dpo, pupil=pupil_world.pupil)
    client = login(cast.dpo)
    page = f"/privacy/requests/{sar.pk}/"
    form = next(
        f
        for f in forms_in(client.get(page).content.decode(), page)
        if "/exempt/" in f.action and {("kind", "charge"), ("object_id", str(pupil_world.charge.pk))} <= set(sent(f)[0])
    )
    response = client.post(form.action, dict(sent(form)[0]) | {"reason": "Under dispute with the family"})
    assert response.status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{page}pack/?format=zip").content))
    assert "charge.json" not in archive.namelist() and "loan.json" in archive.namelist()


def test_a_teachers_loan_stays_in_the_pack_after_the_laptop_came_back(cast, teacher_world):
    asset_return(asset=teacher_world.asset, by=cast.spoc, condition_in="Scratched lid")
    sar = sar_subject_set(request=request_for(cast, "Ruth Ellis"), by=cast.dpo, user=teacher_world.teacher)
    records = person_records(request=sar)
    assert titles(records)["asset"] == []  # no longer issued to her
    (loan,) = records.groups["loan"]
    assert loan.fields["device"] == "OAK-LAP-7" and loan.fields["borrower"] == "Ruth Ellis"
    assert loan.fields["returned_on"] == timezone.localdate() and loan.fields["condition_when_returned"] == (
        "Scratched lid"
    )


def test_choosing_a_teacher_who_is_also_a_pupil_record_brings_the_record(cast, teacher_world):
    from schooldesk.loans.tests.factories import PupilFactory

    record = PupilFactory(school=cast.school, first_name="Ruth", last_name="Ellis", user=teacher_world.teacher)
    sar = sar_subject_set(request=request_for(cast, "Ruth Ellis"), by=cast.dpo, user=teacher_world.teacher)
    assert sar.subject_pupil == record
    assert [i.pk for i in person_records(request=sar).groups["pupil"]] == [record.pk]


def test_a_parent_who_signed_finds_the_record_naming_them_and_the_agreement(cast, login, pupil_world):
    sar = request_for(cast, "Grace Okafor", "grace.okafor@home.example")
    found = titles(person_records(request=sar))
    assert found["pupil"] == ["Amara Okafor (10K)"]  # she is named in it as parent or carer
    assert [t.split(" (")[0] for t in found["loan"]] == ["CB-0042 Dell Latitude 3440"]  # she signed its agreement
    assert "CB-0077" not in json.dumps(found)


def test_pseudonymising_a_pupil_renames_them_in_the_device_scheme_and_keeps_the_loans(cast, login, pupil_world):
    sar = sar_subject_set(request=request_for(cast, "Amara Okafor"), by=cast.dpo, pupil=pupil_world.pupil)
    client = login(cast.dpo)
    confirm = client.get(f"/privacy/requests/{sar.pk}/erase/").content.decode()
    assert "Pupil record: 1" in confirm and "Device loans and agreements: 1" in confirm
    response = post_as_rendered(client, f"/privacy/requests/{sar.pk}/erase/", "", button_text="Confirm")
    assert response.status_code == 302
    sar.refresh_from_db()
    pupil = Pupil.objects.get(pk=pupil_world.pupil.pk)
    assert f"{pupil.first_name} {pupil.last_name}" == sar.pseudonym
    assert (pupil.mis_id, pupil.parent_name, pupil.parent_email, pupil.is_active) == ("", "", "", False)
    agreement = Agreement.objects.get(loan=pupil_world.loan)
    assert "Amara" not in agreement.text and "Okafor" not in agreement.text + agreement.signer_name
    assert agreement.signer_name == f"Parent or carer of {sar.pseudonym}"
    assert Loan.objects.filter(pk=pupil_world.loan.pk).exists() and Charge.objects.filter(pk=pupil_world.charge.pk)
    assert sar.erasure_counts["pupil"] == 1 and sar.erasure_counts["loan"] == 1
    other = Pupil.objects.get(pk=pupil_world.other_pupil.pk)
    assert (other.first_name, other.parent_name) == ("Ben", "Sam Hollis")


def test_pseudonymising_a_parent_renames_them_on_the_pupil_record_and_the_agreement(cast, pupil_world):
    sar = request_for(cast, "Grace Okafor", "grace.okafor@home.example")
    person_pseudonymise(request=sar, by=cast.dpo)
    sar.refresh_from_db()
    pupil = Pupil.objects.get(pk=pupil_world.pupil.pk)
    assert pupil.first_name == "Amara" and pupil.parent_name == sar.pseudonym
    assert pupil.parent_email.endswith("@pseudonymised.invalid")
    assert Agreement.objects.get(loan=pupil_world.loan).signer_name == sar.pseudonym
