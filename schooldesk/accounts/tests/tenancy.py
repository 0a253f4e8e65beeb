"""A person's own records under accounts/ for the tenancy walk (schooldesk/core/tests/test_tenancy.py): an API
token of school A's reporter. Nobody else sees or revokes it, in this school or another."""

from schooldesk.accounts.services import api_token_create

SECTION = "accounts"
PK = "api_token"


def build(cast, secret):
    api_token, _token = api_token_create(user=cast.reporter, name=f"{secret} token", scope="write")
    return {"api_token": api_token}
