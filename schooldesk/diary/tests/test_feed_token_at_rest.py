"""The secret in each person's calendar feed address is encrypted in the database (docs/decisions/0012): a copy
of the database alone gives no address that works, while the address the feed page shows still serves the
calendar, a new address stops the old one, existing subscriptions survive the upgrade and the keys rotate."""

import importlib
import os
import re
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from schooldesk.accounts.models import User
from schooldesk.core.fields import PREFIX, encrypted_fields
from schooldesk.diary.services import feed_token_ensure

pytestmark = pytest.mark.django_db


def stored(user) -> str:
    """What a copy of the database holds: the column read with plain SQL, past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT feed_token FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def address_shown(client) -> str:
    """The address the feed page offers to copy, as a path a calendar app would fetch."""
    page = " ".join(client.get("/diary/feed/").content.decode().split())  # however the markup is wrapped
    return urlsplit(re.search(r'id="feed-url" type="text" value="([^"]+)"', page).group(1)).path


def test_a_copy_of_the_database_gives_no_feed_address_that_works(cast, client):
    token = feed_token_ensure(user=cast.spoc)
    column = stored(cast.spoc)
    assert column.startswith(PREFIX) and token not in column
    assert client.get(f"/diary/feed/{cast.spoc.pk}/{column}.ics").status_code in (403, 404)
    assert client.get(f"/diary/feed/{cast.spoc.pk}/{column.removeprefix(PREFIX)}.ics").status_code in (403, 404)


def test_the_address_the_page_shows_serves_the_calendar_and_a_new_one_stops_it(cast, client, login):
    desk = login(cast.spoc)
    old = address_shown(desk)
    assert old.endswith(".ics") and client.get(old).status_code == 200
    assert desk.post("/diary/feed/reset/").status_code == 302
    new = address_shown(desk)
    assert new != old
    assert client.get(old).status_code == 403 and client.get(new).status_code == 200
    assert new.rsplit("/", 1)[1].removesuffix(".ics") not in stored(cast.spoc)  # the new token is encrypted too


def test_a_subscription_made_before_the_upgrade_keeps_working_and_the_migration_encrypts_it(cast, client):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET feed_token = %s WHERE id = %s", ["legacy-token-in-clear", cast.spoc.pk]
        )
    subscribed = f"/diary/feed/{cast.spoc.pk}/legacy-token-in-clear.ics"
    assert client.get(subscribed).status_code == 200
    migration = importlib.import_module("schooldesk.accounts.migrations.0003_encrypt_feed_tokens")
    migration.encrypt_existing(apps, None)
    assert stored(cast.spoc).startswith(PREFIX) and "legacy" not in stored(cast.spoc)
    assert client.get(subscribed).status_code == 200
    migration.decrypt_existing(apps, None)  # migrating back leaves what the previous code reads
    assert stored(cast.spoc) == "legacy-token-in-clear"


def test_feed_tokens_are_rotated_with_the_other_secrets(cast, client, settings):
    assert (User, ["feed_token"]) in encrypted_fields()
    token, written_with = feed_token_ensure(user=cast.spoc), list(settings.SCHOOLDESK_SECRET_KEYS)
    new = Fernet.generate_key().decode()
    settings.SCHOOLDESK_SECRET_KEYS = [new, *written_with]  # the new key first, the old still read
    call_command("rotate_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Fernet(new).decrypt(stored(cast.spoc).removeprefix(PREFIX).encode()).decode() == token
    settings.SCHOOLDESK_SECRET_KEYS = [new]  # the old key removed: the address people subscribed to still works
    assert client.get(f"/diary/feed/{cast.spoc.pk}/{token}.ics").status_code == 200


def test_a_new_person_has_no_feed_secret_until_they_open_their_feed_page(cast, login):
    assert stored(cast.reporter) == ""
    client = login(cast.reporter)
    first = address_shown(client)
    assert address_shown(client) == first  # made once, then shown again
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert User.objects.get(pk=cast.reporter.pk).feed_token == token and token not in stored(cast.reporter)
    assert feed_token_ensure(user=User.objects.get(pk=cast.reporter.pk)) == token
