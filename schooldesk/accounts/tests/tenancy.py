"""A person's own records under accounts/ for the tenancy walk (schooldesk/core/tests/test_tenancy.py): an API
token of school A's reporter. Nobody else sees or revokes it, in this school or another. And school A's organisation,
whose two-step sign-in rule only its own ICT owner sets (docs/decisions/0032)."""

from schooldesk.accounts.services import api_token_create

SECTION = "accounts"
PK = "api_token"
PARAMS = {"organisation_pk": "mfa_organisation"}

API = {"people": "person", "roles": "role"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    api_token, _token = api_token_create(user=cast.reporter, name=f"{secret} token", scope="write")
    role = cast.reporter.memberships.get(school=cast.school)
    return {"api_token": api_token, "person": cast.reporter, "role": role, "mfa_organisation": cast.school.organisation}
