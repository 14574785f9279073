"""What each provider's credential looks like: a hint in words, and a format check before it is stored.

The check catches a pasted value of the wrong kind (a Stripe publishable key, a JSON file where a token
belongs, a token with a line break in it); whether the provider accepts it is for "Test connection".
Decided here once: the settings service refuses a value that fails, the credential form shows the hint
and the same problem as it is typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_STRIPE_SECRET = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9_]+$")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
MIN_TOKEN = 8


@dataclass(frozen=True)
class CredentialFormat:
    provider: str  # the provider's name as people write it
    label: str
    hint: str  # what it looks like and where to find it
    placeholder: str


FORMATS: dict[str, CredentialFormat] = {
    "stripe": CredentialFormat(
        "Stripe", "Stripe secret key",
        "Dashboard > Developers > API keys: the secret key sk_test_… (test mode) or sk_live_…; a restricted key "
        "rk_… works too. Not the publishable key pk_….",
        "sk_test_…"),
    "gumroad": CredentialFormat(
        "Gumroad", "Gumroad access token",
        "Gumroad Settings > Advanced > Applications: create an application, then Generate access token. "
        "One word of letters, digits, - and _.",
        "access token"),
    "itch": CredentialFormat(
        "itch.io", "itch.io API key",
        "itch.io Settings > API keys > Generate new API key. One word of letters and digits.",
        "API key"),
    "kofi": CredentialFormat(
        "Ko-fi", "Ko-fi verification token",
        "Ko-fi Settings > API > Webhooks (Advanced): the verification token Ko-fi sends with every webhook. "
        "Ko-fi has no API to test it against; a webhook with another token is refused.",
        "verification token"),
    "x": CredentialFormat(
        "X", "X bearer token",
        "X Developer Portal > Projects & Apps > your app > Keys and tokens: the app's Bearer Token.",
        "bearer token"),
    "tiktok": CredentialFormat(
        "TikTok", "TikTok request headers",
        "Optional headers for the Creative Center page, one 'Name: value' per line (e.g. copied from the "
        "browser's network tab).",
        "Name: value"),
    "play": CredentialFormat(
        "Google Play", "Google Play service-account key",
        "Google Cloud console > IAM > Service accounts > Keys > Add key > JSON: a file with "
        '"type": "service_account", "client_email" and "private_key". Invite that e-mail in Play Console.',
        "key.json"),
}


def _looks_like_json(value: str) -> bool:
    if not value.startswith("{"):
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def credential_problem(name: str, value: str) -> str | None:
    """What is wrong with ``value`` as the ``name`` credential, in words; None when it has the right form."""
    fmt = FORMATS.get(name)
    secret = value.strip()
    if not secret:
        return f"the {fmt.label if fmt else name} is empty"
    if fmt is None or name == "play":  # the Play key's JSON is checked where it is parsed
        return None
    if name == "tiktok":
        bad = [line for line in secret.splitlines() if line.strip() and ":" not in line]
        return f"each line is a header 'Name: value'; this one is not: {bad[0][:40]!r}" if bad else None
    if _looks_like_json(secret):
        return f"that is a JSON document; the {fmt.label} is a single token"
    if not _TOKEN.match(secret):
        return f"the {fmt.label} is one word without spaces or line breaks; check what was pasted"
    if name == "stripe":
        if secret.startswith("pk_"):
            return "that is a publishable key (pk_…); TrendForge needs the secret key sk_… or a restricted key rk_…"
        if not _STRIPE_SECRET.match(secret):
            return "a Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_"
        return None
    if _STRIPE_SECRET.match(secret) or secret.startswith("pk_"):
        return f"that looks like a Stripe key, not the {fmt.label}"
    if len(secret) < MIN_TOKEN:
        return f"the {fmt.label} is longer than {len(secret)} characters; check it was copied whole"
    return None
