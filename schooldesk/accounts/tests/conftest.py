import pytest

from schooldesk.accounts.tests.oidc.server import OidcProvider


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    """A real OpenID Connect provider on a free loopback port (accounts/tests/oidc/provider.mjs)."""
    provider = OidcProvider([live_server.url, "http://testserver"])
    yield provider
    provider.stop()
