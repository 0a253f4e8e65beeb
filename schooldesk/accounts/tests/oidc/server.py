"""A real OpenID Connect provider on loopback for the sign-in tests: provider.mjs (the npm package oidc-provider)
under Node, standing in for Microsoft Entra ID and Google, which cannot be reached from here (docs/decisions/0031)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from schooldesk.core.tests.servers import free_port, skip_or_fail

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID, CLIENT_SECRET = "schooldesk-test-client", "schooldesk-test-secret"  # noqa: S105 - the test provider's
#: the connections the tests make, by these primary keys: their callback addresses are registered with the provider
CONNECTION_PKS = (9101, 9102, 9103)
OAK_TENANT, OTHER_TENANT = "0a0a0a0a-1111-2222-3333-oak000000001", "0b0b0b0b-1111-2222-3333-other0000002"
ACCOUNTS = {
    "new.teacher@oak.sch.uk": {
        "email": "new.teacher@oak.sch.uk",
        "email_verified": True,
        "tid": OAK_TENANT,
        "given_name": "Nia",
        "family_name": "Newton",
        "name": "Nia Newton",
        "amr": ["pwd", "mfa"],
    },
    "known.teacher@oak.sch.uk": {
        "email": "known.teacher@oak.sch.uk",
        "email_verified": True,
        "tid": OAK_TENANT,
        "given_name": "Kit",
        "family_name": "Known",
        "amr": ["pwd"],
    },
    "guest@oak.sch.uk": {
        "email": "guest@oak.sch.uk",
        "email_verified": True,
        "tid": OTHER_TENANT,
        "given_name": "Gus",
        "family_name": "Guest",
    },
    "g.teacher@ash.sch.uk": {
        "email": "g.teacher@ash.sch.uk",
        "email_verified": True,
        "hd": "ash.sch.uk",
        "given_name": "Gwen",
        "family_name": "Green",
    },
}


class OidcProvider:
    def __init__(self, base_urls: list[str]):
        node = shutil.which("node")
        if node is None or not (SCRIPT.parent.parents[3] / "node_modules" / "oidc-provider").exists():
            skip_or_fail(
                "Node.js or the npm package oidc-provider is missing (run `make setup`): no OpenID Connect "
                "provider to sign in with"
            )
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        redirect_uris = [
            f"{base}/accounts/oidc/desk-{pk}/login/callback/" for base in base_urls for pk in CONNECTION_PKS
        ]
        env = {
            **os.environ,
            "OIDC_CLIENTS": json.dumps(
                [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}]
            ),
            "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own script, under the node found on PATH
            [node, str(SCRIPT), str(self.port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2):  # noqa: S310
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the OpenID Connect provider stopped: {self.process.stdout.read()}") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the OpenID Connect provider did not answer within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
