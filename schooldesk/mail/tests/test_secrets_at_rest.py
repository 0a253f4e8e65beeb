"""Mailbox passwords, OAuth client secrets and tokens are encrypted in the database (schooldesk/core/fields.py):
a copy of the database alone reveals none of them, the keys can be rotated, a value stored in clear before the
upgrade is still read, and the mail code (IMAP sign-in, token refresh) gets the clear value."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from schooldesk.core.fields import PREFIX, SecretKeyError, check_secret_keys
from schooldesk.mail import oauth
from schooldesk.mail.models import SECRET_FIELDS, Mailbox
from schooldesk.mail.services import mailbox_check
from schooldesk.mail.tests.factories import MailboxFactory, imap_mailbox

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
CLEAR = {
    "password": "Sup3r-s3cret!",
    "oauth_client_secret": "client-s3cret",
    "oauth_refresh_token": "refresh-t0ken",
    "oauth_access_token": "access-t0ken",
    "smtp_password": "smtp-pa55",
}


def stored(mailbox) -> dict:
    """What a copy of the database holds: the columns read with plain SQL, past the model."""
    columns = ", ".join(SECRET_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM mail_mailbox WHERE id = %s", [mailbox.pk])  # noqa: S608
        return dict(zip(SECRET_FIELDS, cursor.fetchone(), strict=True))


def test_a_copy_of_the_database_does_not_reveal_a_secret(cast):
    mailbox = MailboxFactory(school=cast.school, **CLEAR)
    for name, value in stored(mailbox).items():
        assert value.startswith(PREFIX) and CLEAR[name] not in value, name
    assert {name: getattr(Mailbox.objects.get(), name) for name in SECRET_FIELDS} == CLEAR
    assert stored(MailboxFactory(school=cast.school)) == dict.fromkeys(SECRET_FIELDS, "")  # unset stays unset


def test_a_password_typed_into_the_settings_page_is_stored_encrypted(cast, login):
    client = login(cast.spoc)
    page = client.get("/mail/mailboxes/new/")
    assert page.status_code == 200
    form = {
        "school": cast.school.pk,
        "name": "Oak desk",
        "address": "desk@oak.sch.uk",
        "host": "imap.oak.sch.uk",
        "port": 993,
        "security": "ssl",
        "username": "desk@oak.sch.uk",
        "auth_method": "password",
        "password": "Sup3r-s3cret!",
        "folder": "INBOX",
        "unknown_senders": "hold",
        "rate_limit_per_hour": 20,
        "poll_every_minutes": 2,
    }
    assert client.post("/mail/mailboxes/new/", form).status_code == 302
    mailbox = Mailbox.objects.get()
    assert "Sup3r-s3cret!" not in stored(mailbox)["password"] and mailbox.password == "Sup3r-s3cret!"


def test_keys_are_rotated_the_first_writes_and_every_one_reads(cast, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SCHOOLDESK_SECRET_KEYS = [old]
    mailbox = MailboxFactory(school=cast.school, **CLEAR)
    written_with_old = stored(mailbox)

    settings.SCHOOLDESK_SECRET_KEYS = [new, old]  # the new key first, the old still read
    assert Mailbox.objects.get().password == CLEAR["password"]
    call_command("rotate_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115
    rotated = stored(mailbox)
    for name, value in rotated.items():
        assert value != written_with_old[name]
        assert Fernet(new).decrypt(value.removeprefix(PREFIX).encode()).decode() == CLEAR[name]

    settings.SCHOOLDESK_SECRET_KEYS = [new]  # the old key removed
    assert {name: getattr(Mailbox.objects.get(), name) for name in SECRET_FIELDS} == CLEAR
    settings.SCHOOLDESK_SECRET_KEYS = [old]  # a key removed too early: said plainly, never a wrong secret
    with pytest.raises(SecretKeyError, match="rotate_secrets"):
        Mailbox.objects.get()


def test_a_secret_stored_in_clear_before_the_upgrade_is_read_and_the_migration_encrypts_it(cast):
    mailbox = MailboxFactory(school=cast.school)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE mail_mailbox SET password = %s, oauth_refresh_token = %s WHERE id = %s",
            ["legacy-pass", "legacy-refresh", mailbox.pk],
        )
    assert (Mailbox.objects.get().password, Mailbox.objects.get().oauth_refresh_token) == (
        "legacy-pass",
        "legacy-refresh",
    )
    migration = importlib.import_module("schooldesk.mail.migrations.0002_encrypt_secrets")
    migration.encrypt_existing(apps, None)
    assert stored(mailbox)["password"].startswith(PREFIX) and "legacy" not in str(stored(mailbox))
    assert (Mailbox.objects.get().password, Mailbox.objects.get().oauth_refresh_token) == (
        "legacy-pass",
        "legacy-refresh",
    )
    migration.decrypt_existing(apps, None)  # migrating back leaves what the previous code reads
    assert stored(mailbox)["password"] == "legacy-pass"


def test_imap_signs_in_with_the_password_read_back_from_the_database(cast, dovecot, imap_user):
    mailbox = imap_mailbox(dovecot, imap_user, school=cast.school)
    assert stored(mailbox)["password"].startswith(PREFIX)
    assert "Signed in" in mailbox_check(mailbox=Mailbox.objects.get(pk=mailbox.pk))


def test_a_token_refresh_sends_the_clear_secret_and_stores_the_new_tokens_encrypted(cast, oauth_server):
    mailbox = MailboxFactory(
        school=cast.school,
        auth_method="microsoft",
        oauth_client_id="client-id",
        oauth_client_secret="client-secret",
        oauth_token_url=oauth_server.token_url,
        oauth_scope="scope",
        username="desk@oak.sch.uk",
        oauth_refresh_token=oauth_server.grant("desk@oak.sch.uk"),
    )
    granted = mailbox.oauth_refresh_token
    token = oauth.access_token(Mailbox.objects.get(pk=mailbox.pk))
    sent = oauth_server.requests[-1][1]
    assert (sent["client_secret"], sent["refresh_token"]) == ("client-secret", granted)
    after = Mailbox.objects.get(pk=mailbox.pk)
    assert token.startswith("access-") and after.oauth_access_token == token
    assert after.oauth_refresh_token not in ("", granted)  # the provider sent a new one: kept
    assert not {token, after.oauth_refresh_token} & set(stored(mailbox).values())
    unset = ("password", "smtp_password")
    assert all(value.startswith(PREFIX) for name, value in stored(mailbox).items() if name not in unset)


def test_a_key_that_is_not_a_fernet_key_fails_the_checks(settings):
    assert check_secret_keys() == []
    settings.SCHOOLDESK_SECRET_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    [error] = check_secret_keys()
    assert error.id == "schooldesk.E001" and "key 2" in error.msg


def start(tmp_path, **env):
    """A fresh process reading the settings, as the web and worker units do."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCHOOLDESK_", "DJANGO_", "SENTRY_")) and k != "PYTEST_VERSION"
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", SCHOOLDESK_VAR_DIR=str(tmp_path), **env)
    code = "from django.conf import settings; print(settings.SCHOOLDESK_SECRET_KEYS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
    )


def test_production_will_not_start_without_an_explicit_key_and_development_needs_none(tmp_path):
    production = {"SCHOOLDESK_PRODUCTION": "1", "DJANGO_SECRET_KEY": "x" * 50}
    refused = start(tmp_path, **production)
    assert refused.returncode != 0 and "SCHOOLDESK_SECRET_KEYS must be set in production" in refused.stderr
    key = Fernet.generate_key().decode()
    assert start(tmp_path, **production, SCHOOLDESK_SECRET_KEYS=f" {key} ,").stdout.strip() == f"['{key}']"
    development = start(tmp_path)
    assert development.returncode == 0
    Fernet(development.stdout.strip()[2:-2])  # a key derived from the development SECRET_KEY, usable as it is
