"""School A's licence list for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.licences.services import allocation_add, installation_add
from schooldesk.licences.tests.factories import LicenceFactory

SECTION = "licences"
PK = "licence"
PARAMS = {"allocation_pk": "allocation", "installation_pk": "installation"}

# what <pk> means under /api/v1/<name>/
API = {"licence-allocations": "allocation", "licence-installations": "installation"}


def build(cast, secret):
    proof = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 " + secret.encode(), content_type="application/pdf")
    licence = LicenceFactory(school=cast.school, product=f"{secret} Maths", key=f"{secret}-KEY", proof=proof)
    device = AssetFactory(school=cast.school, tag=f"{secret}-L1")
    return {
        "licence": licence,
        "allocation": allocation_add(licence=licence, by=None, asset=device),
        "installation": installation_add(licence=licence, asset=device, by=None),
    }
