"""School A's procedures for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from schooldesk.procedures.services import procedure_create, procedure_decide, procedure_propose

SECTION = "procedures"
PK = "procedure"
PARAMS = {"version_pk": "procedure_version"}


def build(cast, secret):
    first = procedure_create(school=cast.school, by=None, title=f"{secret} reporting", body=f"{secret} steps")
    procedure_decide(version=first, by=None, authorise=True)
    proposal = procedure_propose(
        procedure=first.procedure,
        by=None,
        title=f"{secret} reporting",
        body=f"{secret} new steps",
        note=f"{secret} why",
    )
    return {"procedure": first.procedure, "procedure_version": proposal}
