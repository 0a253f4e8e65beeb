"""Secrets at rest: a text field stored encrypted with Fernet (AES-128-CBC and HMAC-SHA256, `cryptography`).

The keys are settings.SCHOOLDESK_SECRET_KEYS (from the environment, comma-separated): every key is tried to
read, the first is used to write, so a new key is put first, `manage.py rotate_secrets` re-encrypts every stored
secret with it, and the old key is then removed. A copy of the database alone never reveals a secret.

A stored value starts with PREFIX. A value without it was written before the field was encrypted: it is read
as it is (so nothing breaks between the upgrade and the migration that encrypts it) and encrypted when saved.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


class SecretKeyError(ImproperlyConfigured):
    """A stored secret cannot be read with any of the keys: a key was removed before `rotate_secrets` ran."""


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"SCHOOLDESK_SECRET_KEYS: key {number} is not a Fernet key (32 bytes, URL-safe base64). Make one "
                "with: python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
            ) from exc
    if not fernets:
        raise ImproperlyConfigured("SCHOOLDESK_SECRET_KEYS is empty: secrets cannot be stored.")
    return MultiFernet(fernets)


def secret_box() -> MultiFernet:
    """The keys of the settings (read each time, so a test's override_settings is followed; built once per set)."""
    return _box(tuple(settings.SCHOOLDESK_SECRET_KEYS))


def encrypt_secret(value: str) -> str:
    if not value:
        return ""  # nothing stored: only "not set" is told
    return PREFIX + secret_box().encrypt(value.encode()).decode("ascii")


def decrypt_secret(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""  # empty, or written in clear before the upgrade (encrypted when next saved)
    try:
        return secret_box().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        raise SecretKeyError(
            "A stored secret cannot be decrypted with any key in SCHOOLDESK_SECRET_KEYS: put back the key it was "
            "written with (after the new one), run `manage.py rotate_secrets`, then remove the old key."
        ) from None


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and clear in Python. Cannot be searched or sorted on (each write
    gives a different ciphertext); an empty value is stored empty, so `has_secret` tests still work."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt_secret(value)

    def to_python(self, value):
        return value if value is None or isinstance(value, str) else str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt_secret(value)


def encrypted_fields():
    """(model, [field names]) for every model with an EncryptedTextField: what `rotate_secrets` re-encrypts."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def check_secret_keys(app_configs=None, **kwargs):
    """`manage.py check` (and every start): the keys are Fernet keys."""
    try:
        secret_box()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="schooldesk.E001")]
    return []
