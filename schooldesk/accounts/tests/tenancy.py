"""A person's own records under accounts/ for the tenancy walk (schooldesk/core/tests/test_tenancy.py): an API
token of school A's reporter (nobody else sees or revokes it, in this school or another), school A's sign-in with
Google (its settings page is the school's desk's only), the People pages (accounts/people/<person_pk>/…): school
A's reporter, whose job title carries the secret, and their role there; and school A's organisation, whose
two-step sign-in rule only its own ICT owner sets (docs/decisions/0032)."""

from schooldesk.accounts.models import SignInConnection
from schooldesk.accounts.services import api_token_create

SECTION = "accounts"


def PK(route: str) -> str:  # noqa: N802 - the walk's name for what <pk> means
    return "sign_in_connection" if "sign-in-settings" in route else "api_token"


PARAMS = {"person_pk": "person", "membership_pk": "role", "organisation_pk": "mfa_organisation"}
API = {"people": "person", "roles": "role"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    api_token, _token = api_token_create(user=cast.reporter, name=f"{secret} token", scope="write")
    role = cast.reporter.memberships.get(school=cast.school)
    cast.reporter.job_title = f"{secret} teacher"
    cast.reporter.save(update_fields=["job_title"])
    connection = SignInConnection.objects.create(
        school=cast.school,
        provider="google",
        domains=f"{secret.lower()}.sch.uk",
        client_id=f"{secret}-client",
        client_secret=f"{secret}-secret",
    )
    return {
        "api_token": api_token,
        "person": cast.reporter,
        "role": role,
        "sign_in_connection": connection,
        "mfa_organisation": cast.school.organisation,
    }
