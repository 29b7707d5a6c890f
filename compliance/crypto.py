"""Sensitive identifiers encrypted at rest (MultiFernet, rotatable) with a keyed HMAC blind index for lookups.

Keys come from the environment, never from the database:
- ``FIELD_ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first. Reads try every key; writes use the first.
  Rotation: put a new key first, run ``manage.py rotate_keys``, then drop the old key.
- ``BLIND_INDEX_KEY``: a separate secret for the HMAC index, so the index reveals nothing without it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEYS: was a key removed "
            "before `manage.py rotate_keys` ran?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate keeps the original timestamp)."""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str, *, kind: str) -> str:
    """Deterministic keyed hash of a normalized value: equal inputs give equal indexes, nothing else leaks."""
    if not value:
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet tokens; Python sees plaintext. Only ``isnull``/exact-empty lookups make sense: search
    through a blind-index column instead."""

    description = "Text encrypted at rest with the configured field keys"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def get_db_prep_save(self, value, connection):
        return self.get_prep_value(value)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "compliance.crypto.EncryptedTextField", args, kwargs


def encrypted_fields():
    """Every (model, field) pair that holds encrypted data, for rotation."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field
