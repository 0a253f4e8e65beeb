"""The licence list: compliance in SQL (per device, per user, site, per pupil, expired), keys kept to the
people who may see them, proof of purchase as a download, allocations, installations and their import."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.licences import services
from schooldesk.licences.models import Installation, Licence
from schooldesk.licences.selectors import compliance_summary, licence_list, licences_due_for_renewal
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def devices(cast, n, prefix="PC"):
    return [AssetFactory(school=cast.school, tag=f"{prefix}-{i}", type_name="Desktop") for i in range(n)]


def states(user):
    return {lic.product: (lic.owned, lic.in_use, lic.state) for lic in licence_list(user=user)}


def test_compliance_per_device_per_user_site_per_pupil_and_expired(cast):
    cast.school.roll_number = 238
    cast.school.save()
    pcs = devices(cast, 5)
    under = LicenceFactory(school=cast.school, product="Office", quantity=3)
    for pc in pcs:
        services.installation_add(licence=under, asset=pc, by=cast.technician)
    over = LicenceFactory(school=cast.school, product="Antivirus", quantity=10)
    services.installation_add(licence=over, asset=pcs[0], by=None)
    services.allocation_add(
        licence=over, by=None, location=Location.objects.filter(school=cast.school).first(), quantity=4
    )  # four seats allocated, one install: four in use, not five
    exact = LicenceFactory(school=cast.school, product="CAD", licence_type="per_user", quantity=2)
    services.allocation_add(licence=exact, by=None, person=cast.reporter)
    services.allocation_add(licence=exact, by=None, person=cast.technician)
    LicenceFactory(school=cast.school, product="Maths site", licence_type="site", quantity=None)
    LicenceFactory(school=cast.school, product="Phonics", licence_type="per_pupil", quantity=200)
    LicenceFactory(school=cast.school, product="Reading", licence_type="per_pupil", quantity=250)
    old = LicenceFactory(
        school=cast.school,
        product="Old suite",
        quantity=5,
        starts_on=timezone.localdate() - timedelta(days=800),
        ends_on=timezone.localdate() - timedelta(days=30),
    )
    services.installation_add(licence=old, asset=pcs[1], by=None)
    assert states(cast.spoc) == {
        "Office": (3, 5, "under"),
        "Antivirus": (10, 4, "over"),
        "CAD": (2, 2, "ok"),
        "Maths site": (0, 0, "site"),
        "Phonics": (200, 238, "under"),
        "Reading": (250, 238, "over"),
        "Old suite": (5, 1, "expired"),
    }


def test_the_schools_position_and_the_value_of_unused_seats(cast):
    pcs = devices(cast, 2)
    licence = LicenceFactory(school=cast.school, product="Antivirus", quantity=10, cost=Decimal("500.00"))
    for pc in pcs:
        services.installation_add(licence=licence, asset=pc, by=None)
    LicenceFactory(school=cast.school, product="Office", quantity=1)
    office = Licence.objects.get(product="Office")
    for pc in pcs:
        services.installation_add(licence=office, asset=pc, by=None)
    summary = compliance_summary(licence_list(user=cast.spoc))
    counts = (summary["licences"], summary["under"], summary["over"], summary["short"], summary["unused"])
    assert counts == (2, 1, 1, 1, 8)
    assert summary["unused_value"] == Decimal("400.00")


def test_duplicate_keys_in_a_school_are_refused_but_not_across_schools(cast, other):
    LicenceFactory(school=cast.school, product="Office", key="ABCDE-12345")
    with pytest.raises(ValidationError) as error:
        LicenceFactory(school=cast.school, product="Office again", key=" abcde-12345 ")
    assert "already recorded for Office" in error.value.message_dict["key"][0]
    LicenceFactory(school=other.school, product="Office", key="ABCDE-12345")
    LicenceFactory(school=cast.school, product="No key 1", key="")
    LicenceFactory(school=cast.school, product="No key 2", key="")
    assert Licence.objects.count() == 4


def test_a_licence_needs_a_quantity_unless_it_is_a_site_licence_and_ends_after_it_starts(cast):
    with pytest.raises(ValidationError) as error:
        LicenceFactory(school=cast.school, quantity=None)
    assert "quantity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        LicenceFactory(
            school=cast.school, starts_on=timezone.localdate(), ends_on=timezone.localdate() - timedelta(days=1)
        )
    assert "ends_on" in error.value.message_dict
    site = LicenceFactory(school=cast.school, licence_type="site", quantity=50)
    assert site.quantity is None


def test_allocations_and_installations_stay_in_the_school(cast, other):
    licence = LicenceFactory(school=cast.school)
    theirs = AssetFactory(school=other.school)
    with pytest.raises(ValidationError):
        services.installation_add(licence=licence, asset=theirs, by=None)
    with pytest.raises(ValidationError):
        services.allocation_add(licence=licence, by=None, person=other.reporter)
    with pytest.raises(ValidationError):
        services.allocation_add(licence=licence, by=None)
    mine = AssetFactory(school=cast.school)
    services.installation_add(licence=licence, asset=mine, by=None)
    with pytest.raises(ValidationError):
        services.installation_add(licence=licence, asset=mine, by=None)


def test_keys_and_proofs_are_for_the_desk_and_technicians_only(cast, login):
    proof = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    licence = LicenceFactory(school=cast.school, product="Office", key="SECRET-KEY-1", proof=proof)
    for user in (cast.spoc, cast.owner, cast.technician):
        client = login(user)
        assert "SECRET-KEY-1" in client.get(f"/licences/{licence.pk}/").content.decode()
        download = client.get(f"/licences/{licence.pk}/proof/")
        assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == b"%PDF-1.4 invoice"
    viewer = login(cast.viewer)
    page = viewer.get(f"/licences/{licence.pk}/")
    assert page.status_code == 200 and "SECRET-KEY-1" not in page.content.decode()
    assert viewer.get(f"/licences/{licence.pk}/proof/").status_code == 403
    assert "SECRET-KEY-1" not in viewer.get("/licences/export/").content.decode("utf-8-sig")
    assert login(cast.reporter).get("/licences/").status_code == 403


def test_a_proof_of_the_wrong_type_is_refused_and_the_form_keeps_input(cast, login):
    client = login(cast.spoc)
    bad = SimpleUploadedFile("invoice.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        "/licences/new/",
        {
            "school": cast.school.pk,
            "product": "Scratch Plus",
            "licence_type": "site",
            "proof_upload": bad,
            "order_reference": "PO-77",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and "not a file type we keep" in html and "PO-77" in html
    assert not Licence.objects.exists()


def test_the_desk_adds_a_licence_then_seats_and_installs(cast, login):
    client = login(cast.spoc)
    response = client.post(
        "/licences/new/",
        {
            "school": cast.school.pk,
            "product": "Purple Mash",
            "licence_type": "per_pupil",
            "quantity": 200,
            "cost": "1295.00",
            "starts_on": "2026-09-01",
            "ends_on": "2027-08-31",
            "renews_on": "2027-07-31",
        },
    )
    licence = Licence.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/licences/{licence.pk}/"
    pc = AssetFactory(school=cast.school, tag="PC-9")
    technician = login(cast.technician)
    assert technician.post(f"/licences/{licence.pk}/install/", {"asset": "pc-9"}).status_code == 302
    failed = technician.post(f"/licences/{licence.pk}/install/", {"asset": "NOPE-1", "version": "3.1"})
    assert failed.status_code == 400 and "No device with that tag" in failed.content.decode()
    assert "3.1" in failed.content.decode()
    allocated = technician.post(f"/licences/{licence.pk}/allocate/", {"person": cast.reporter.pk, "quantity": 1})
    assert allocated.status_code == 302
    assert Installation.objects.get().asset == pc and licence.allocations.count() == 1
    assert login(cast.technician).get("/licences/new/").status_code == 403


def test_installations_import_all_or_nothing(cast, login):
    devices(cast, 3)
    LicenceFactory(school=cast.school, product="Scratch Desktop")
    client = login(cast.technician)
    bad = SimpleUploadedFile(
        "installs.csv", b"Asset tag,Product\nPC-0,Scratch Desktop\nPC-7,Scratch Desktop\nPC-1,Minecraft Education\n"
    )
    response = client.post("/licences/installations/import/", {"school": cast.school.pk, "file": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 3: no device with the tag “PC-7”" in html and "Line 4: no licence for “Minecraft Education”" in html
    assert not Installation.objects.exists()
    good = SimpleUploadedFile(
        "installs.csv",
        b"Asset tag,Product,Version\npc-0,scratch desktop,3.29\nPC-1,Scratch Desktop,3.29\nPC-1,Scratch Desktop,3.29\n",
    )
    assert client.post("/licences/installations/import/", {"school": cast.school.pk, "file": good}).status_code == 302
    assert Installation.objects.count() == 2


def test_renewals_due_are_found_for_reminders(cast):
    today = timezone.localdate()
    LicenceFactory(school=cast.school, product="Soon", renews_on=today + timedelta(days=20))
    LicenceFactory(school=cast.school, product="Ending", ends_on=today + timedelta(days=60))
    LicenceFactory(school=cast.school, product="Later", renews_on=today + timedelta(days=200))
    due = licences_due_for_renewal(Licence.objects.filter(school=cast.school))
    assert set(due.values_list("product", flat=True)) == {"Soon", "Ending"}


def test_compliance_page_shows_over_and_under_licensed(cast, login):
    cast.school.roll_number = 300
    cast.school.save()
    LicenceFactory(school=cast.school, product="Phonics", licence_type="per_pupil", quantity=250)
    LicenceFactory(school=cast.school, product="Spelling", licence_type="per_pupil", quantity=320)
    html = login(cast.viewer).get("/licences/compliance/").content.decode()
    assert "Under-licensed by 50" in html and "Over-licensed: 20 unused" in html
    assert html.index("Phonics") < html.index("Spelling")  # worst first


def _count(client, url):
    """The second of two requests: the drop-downs' options are read once and cached (core/choice_cache.py)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_licence_pages_query_count_is_fixed(cast, client):
    def grow(n):
        start = Licence.objects.count()
        pcs = devices(cast, n, prefix=f"G{start}")
        for i in range(n):
            licence = LicenceFactory(
                school=cast.school,
                product=f"Product {start + i}",
                supplier=cast.supplier,
                licence_type=["per_device", "per_pupil", "site", "per_user"][i % 4],
                quantity=None if i % 4 == 2 else 5,
            )
            for pc in pcs:
                services.installation_add(licence=licence, asset=pc, by=None)
            services.allocation_add(licence=licence, by=None, person=cast.reporter)

    client.force_login(cast.spoc)
    grow(3)
    first = Licence.objects.order_by("pk").first()
    urls = {
        "list": "/licences/",
        "list filtered": "/licences/?state=over&licence_type=per_device&q=Product&renewal=90",
        "compliance": "/licences/compliance/",
        "compliance school": f"/licences/compliance/?school={cast.school.pk}",
        "licence page": f"/licences/{first.pk}/",
        "export": "/licences/export/?format=xlsx",
    }
    small = {name: _count(client, url) for name, url in urls.items()}
    grow(25)
    client.force_login(cast.spoc)
    large = {name: _count(client, url) for name, url in urls.items()}
    assert large == small and max(large.values()) <= 25, large


def test_an_la_sees_one_line_per_school_then_chooses_one(cast, login):
    from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
    from schooldesk.schools.tests.factories import SchoolFactory

    organisation = cast.school.organisation
    others = [SchoolFactory(organisation=organisation, name=f"Other school {n}", roll_number=100) for n in range(5)]
    cast.school.roll_number = 300
    cast.school.save()
    LicenceFactory(school=cast.school, product="Phonics", licence_type="per_pupil", quantity=250)
    LicenceFactory(school=others[0], product="Spelling", licence_type="per_pupil", quantity=150)
    la = UserFactory(username="la-owner")
    MembershipFactory(user=la, organisation=organisation, role="owner")
    client = login(la)
    html = client.get("/licences/compliance/").content.decode()
    assert "Choose a school to see its licences." in html and "Phonics" not in html
    assert "Other school 0" in html and cast.school.name in html
    assert html.index(cast.school.name) < html.index("Other school 0")  # the under-licensed school first
    one = client.get(f"/licences/compliance/?school={cast.school.pk}").content.decode()
    assert "Under-licensed by 50" in one and "Spelling" not in one


def test_a_deleted_licences_proof_goes_only_when_the_deletion_is_committed(cast, django_capture_on_commit_callbacks):
    """The form walk found it: a deletion rolled back after the file was removed left a licence without its proof."""
    from django.db import transaction

    proof = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    licence = LicenceFactory(school=cast.school, product="Maths", proof=proof)
    storage, name, pk = licence.proof.storage, licence.proof.name, licence.pk
    with transaction.atomic():
        services.licence_delete(licence=licence, by=cast.spoc)
        transaction.set_rollback(True)
    assert Licence.objects.filter(pk=pk).exists() and storage.exists(name)
    licence = Licence.objects.get(pk=pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_delete(licence=licence, by=cast.spoc)
    assert not storage.exists(name)
