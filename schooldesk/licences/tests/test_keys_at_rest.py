"""Licence keys are encrypted in the database (docs/decisions/0012): a copy of the database alone reveals none,
while the desk still reads them on the licence page, a key already recorded in the school is still refused (by a
keyed digest, as the ciphertext differs each time), even after DJANGO_SECRET_KEY has changed, and the keys are
rotated with the other secrets."""

import importlib
import os
from html.parser import HTMLParser

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from schooldesk.core.fields import PREFIX, encrypted_fields
from schooldesk.licences.models import Licence
from schooldesk.licences.tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db
KEY = "ABCDE-12345-FGHIJ-67890"


def stored(licence) -> tuple[str, str]:
    """What a copy of the database holds: the key and its digest read with plain SQL, past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, key_digest FROM licences_licence WHERE id = %s", [licence.pk])
        return cursor.fetchone()


class _LicenceForm(HTMLParser):
    """The fields of the page's licence form as rendered: inputs' values, selected options, textareas' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self._select, self._area = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._area = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._area = None

    def handle_data(self, data):
        if self._area:
            self.fields[self._area] += data


def the_form(client, url: str) -> dict:
    """The licence form as the page renders it: what a browser would send."""
    parser = _LicenceForm()
    parser.feed(client.get(url).content.decode())
    assert "key" in parser.fields and "csrfmiddlewaretoken" in parser.fields
    return parser.fields


def typed(data: dict, **values) -> dict:
    return {**data, **values}


def test_a_copy_of_the_database_does_not_reveal_a_key(cast):
    licence = LicenceFactory(school=cast.school, product="Office", key=KEY)
    key, digest = stored(licence)
    assert key.startswith(PREFIX) and KEY not in key and KEY.lower() not in key
    assert KEY not in digest and KEY.lower() not in digest and len(digest) > 64
    assert Licence.objects.get().key == KEY
    assert stored(LicenceFactory(school=cast.school, product="Free", key="")) == ("", "")  # no key stays empty


def test_a_key_typed_into_the_page_is_stored_encrypted_shown_back_and_a_duplicate_refused(cast, login):
    client = login(cast.spoc)
    form = typed(
        the_form(client, "/licences/new/"), school=str(cast.school.pk), product="Office", licence_type="site", key=KEY
    )
    assert client.post("/licences/new/", form).status_code == 302
    licence = Licence.objects.get()
    assert KEY not in stored(licence)[0] and licence.key == KEY
    assert KEY in client.get(f"/licences/{licence.pk}/").content.decode()

    edit = the_form(client, f"/licences/{licence.pk}/edit/")
    assert edit["key"] == KEY  # the edit form shows the key clear, and saving it unchanged is no clash
    assert client.post(f"/licences/{licence.pk}/edit/", typed(edit, notes="Renewed")).status_code == 302

    again = typed(
        the_form(client, "/licences/new/"),
        school=str(cast.school.pk),
        product="Office again",
        licence_type="site",
        key=f"  {KEY.lower()} ",
    )
    response = client.post("/licences/new/", again)
    assert response.status_code == 400
    assert "That key is already recorded for Office in this school." in response.content.decode()
    assert Licence.objects.count() == 1


def test_the_database_refuses_a_second_copy_of_a_key_in_a_school(cast, other):
    licence = LicenceFactory(school=cast.school, product="Office", key=KEY)
    copy = Licence(school=cast.school, product="Copy", licence_type="site", key=KEY, key_digest=licence.key_digest)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    LicenceFactory(school=other.school, product="Office", key=KEY)  # another school may hold the same key


def test_a_duplicate_is_still_refused_after_the_django_secret_key_changes(cast, settings):
    LicenceFactory(school=cast.school, product="Office", key=KEY)
    LicenceFactory(school=cast.school, product="Antivirus", key="AV-1")
    before = stored(Licence.objects.get(product="Office"))[1]
    settings.SECRET_KEY = "a-new-django-secret-key-after-a-leak"
    with pytest.raises(ValidationError) as error:
        LicenceFactory(school=cast.school, product="Office again", key=KEY.lower())
    assert error.value.message_dict["key"] == ["That key is already recorded for Office in this school."]
    LicenceFactory(school=cast.school, product="Maths", key="MATHS-1")  # a save that goes through keeps them
    assert stored(Licence.objects.get(product="Office"))[1] != before  # made again under the new key
    with pytest.raises(ValidationError, match="already recorded for Antivirus"):
        LicenceFactory(school=cast.school, product="Antivirus again", key="av-1")


def test_keys_are_rotated_with_the_other_secrets(cast, settings):
    assert (Licence, ["key"]) in encrypted_fields()
    written_with, new = list(settings.SCHOOLDESK_SECRET_KEYS), Fernet.generate_key().decode()
    licence = LicenceFactory(school=cast.school, product="Office", key=KEY)
    settings.SCHOOLDESK_SECRET_KEYS = [new, *written_with]  # the new key first, the old still read
    call_command("rotate_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115
    key, digest = stored(licence)
    assert Fernet(new).decrypt(key.removeprefix(PREFIX).encode()).decode() == KEY
    assert digest == licence.key_digest  # the digest does not depend on these keys
    settings.SCHOOLDESK_SECRET_KEYS = [new]
    assert Licence.objects.get().key == KEY


def test_a_key_stored_in_clear_before_the_upgrade_is_read_and_the_migration_encrypts_it(cast):
    licence = LicenceFactory(school=cast.school, product="Office")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE licences_licence SET key = %s, key_digest = '' WHERE id = %s", [KEY, licence.pk])
    assert Licence.objects.get().key == KEY
    migration = importlib.import_module("schooldesk.licences.migrations.0003_encrypt_keys")
    migration.encrypt_existing(apps, None)
    key, digest = stored(licence)
    assert key.startswith(PREFIX) and KEY not in key and Licence.objects.get().key == KEY
    with pytest.raises(ValidationError, match="already recorded for Office"):  # the digest it wrote is the service's
        LicenceFactory(school=cast.school, product="Office again", key=KEY)
    migration.decrypt_existing(apps, None)  # migrating back leaves what the previous code reads
    assert stored(licence) == (KEY, "")
