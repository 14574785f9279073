"""The ``stripe`` package, imported without the ``requests`` client it never uses here.

At import the SDK picks its default blocking HTTP client by trying ``requests`` first (a
dependency of the package, so always installed): that loads requests, urllib3, charset_normalizer,
idna and certifi, ~110 modules and ~4.5 MB, at a first sync. TrendForge gives every client it
builds its own HTTPX client (:mod:`services.payments.providers.stripe_provider`), so that default
is never used; with ``requests`` marked absent while the SDK loads, it settles on its urllib
fallback (stdlib, already loaded). The mark is taken off again at once: a later
``import requests`` elsewhere is unaffected.
"""

from __future__ import annotations

import sys

SKIPPED = "requests"

_marked = SKIPPED not in sys.modules
if _marked:
    sys.modules[SKIPPED] = None  # type: ignore[assignment]  # None: "not importable", by Python's rule
try:
    import stripe as stripe  # re-exported for the provider
finally:
    if _marked and sys.modules.get(SKIPPED, ...) is None:
        del sys.modules[SKIPPED]

__all__ = ["stripe"]
