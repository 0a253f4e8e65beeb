import json

import pytest
from django.test import override_settings

from schooldesk.directory.tests import standin


@pytest.fixture
def stand_in():
    """The providers' stand-in on loopback, and the desk's settings pointing at it."""
    state = standin.Directory()
    key, public = standin.google_key_pair()
    state.google_public_key, state.google_key = public, key
    server = standin.start(state)
    urls = {
        "graph": state.url,
        "microsoft_token": state.url + "/{tenant}/oauth2/v2.0/token",
        "google": state.url,
        "google_token": state.url + "/token",
        "wonde": state.url,
    }
    with override_settings(SCHOOLDESK_DIRECTORY_URLS=urls, SCHOOLDESK_DIRECTORY_MAX_WAIT=1):
        yield state
    server.shutdown()
    server.server_close()


def google_secret(state) -> str:
    return json.dumps(state.google_key)
