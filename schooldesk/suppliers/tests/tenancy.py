"""School A's suppliers objects for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from schooldesk.suppliers.models import Contact, Contract
from schooldesk.suppliers.services import contract_document_add, contract_save, supplier_suggest

SECTION = "suppliers"
PK = "supplier"
PARAMS = {
    "contact_pk": "contact",
    "contract_pk": "contract",
    "document_pk": "contract_document",
    "suggestion_pk": "supplier_suggestion",
}

API = {"contacts": "contact", "contracts": "contract"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    cast.supplier.name = f"{secret} Support"
    cast.supplier.save()
    contact = Contact.objects.create(supplier=cast.supplier, name=f"{secret} contact", email="c@example.com")
    contract = contract_save(
        contract=Contract(
            supplier=cast.supplier,
            name=f"{secret} contract",
            scope=f"{secret} scope",
            starts_on=timezone.localdate() - timedelta(days=300),
            initial_term_months=12,
            notice_number=1,
            value=1200,
            visit_weekday=1,
            visit_starts_at=time(9),
            visit_ends_at=time(12),
            visit_technician=cast.technician,
        ),
        by=cast.owner,
        shares={cast.school: 100},
    )
    pdf = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    document = contract_document_add(contract=contract, by=cast.owner, upload=pdf, title=f"{secret} document")
    suggestion = supplier_suggest(
        supplier=cast.supplier,
        contact=contact,
        field_name="phone",
        value="01632 960123",
        reason=f"{secret} new number",
        by=cast.spoc,
    )  # the school's desk, to its LA
    return {
        "supplier": cast.supplier,
        "contact": contact,
        "contract": contract,
        "contract_document": document,
        "supplier_suggestion": suggestion,
    }
