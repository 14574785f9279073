"""The releases area's health: whether a Google Play service-account key is stored, and whose.

``ReleasesService.health`` and the composition root's health report (which does not build the area,
nor load Google's auth library, for it) both answer with :func:`play_key_health`. Only the key's
shape is read here; a key whose private key does not load is refused when it is stored or used.
"""

from __future__ import annotations

import json

from app.errors import SecretStoreError
from app.health import Health, HealthState
from services.secrets import SecretStore, credential_key

NAME = "releases"
SECRET_NAME = credential_key("play")
REQUIRED_FIELDS = ("type", "client_email", "private_key", "private_key_id", "token_uri")


def play_key_health(secrets: SecretStore) -> Health:
    try:
        text = secrets.get(SECRET_NAME)
    except SecretStoreError:  # the keyring's own row says why; publishing waits for it
        return Health(NAME, HealthState.DEGRADED, "the Google Play key cannot be read while the keyring is unavailable")
    try:
        info = json.loads(text) if text else None
    except ValueError:
        info = None
    if (not isinstance(info, dict) or any(not info.get(k) for k in REQUIRED_FIELDS)
            or info["type"] != "service_account"):
        return Health(NAME, HealthState.OK, "no Google Play key stored")
    return Health(NAME, HealthState.OK, f"Google Play key of {info['client_email']}")
