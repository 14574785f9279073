"""A Play-style 401 that quotes the access token: the token is masked in the error shown, and in
whatever the app stores (rows, event payloads), because every secret the store knows is redacted
in one place (services.redaction)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.errors import UserError
from app.events import AppStarted
from app.redact import MASK
from services.bootstrap import Services
from services.events.store import EventQuery
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE


def _refused(keyed: Services, play: PlayStandIn) -> tuple[str, str]:
    play.fault("GET", "/tracks", "401_quoting_token", times=2)  # the first and the retried call
    with pytest.raises(UserError) as err:
        keyed.releases.tracks(PACKAGE)
    tokens = list(play.tokens)
    assert tokens, "a token was minted and sent"
    return str(err.value), tokens[-1]


def test_the_error_shown_does_not_carry_the_token(keyed: Services, play: PlayStandIn) -> None:
    message, token = _refused(keyed, play)
    assert "refused the access token" in message
    assert token not in message and MASK in message


def test_what_is_stored_does_not_carry_the_token(keyed: Services, play: PlayStandIn) -> None:
    _message, token = _refused(keyed, play)
    # an area that stores a provider's raw answer (an event payload, an error column) stores it masked
    with keyed.ctx.new_uow() as uow:
        uow.record(AppStarted(source=f"play said: invalid credentials: Bearer {token}"))
        uow.commit()
    with keyed.ctx.engine.connect() as conn:
        rows = [str(tuple(r)) for r in conn.execute(text("SELECT * FROM events"))]
    assert rows and not any(token in r for r in rows)
    listed = [s.event.source for s in keyed.events.history(EventQuery(limit=50))]
    assert f"play said: invalid credentials: Bearer {MASK}" in listed


def test_stored_keyring_secrets_are_masked_too(keyed: Services) -> None:
    keyed.settings.set_credential("stripe", "sk_live_notreally_0123456789")
    keyed.ctx.secrets.get("provider:stripe")  # the store knows the value it handed out
    with keyed.ctx.new_uow() as uow:
        uow.record(AppStarted(source="key sk_live_notreally_0123456789 in a message"))
        uow.commit()
    with keyed.ctx.engine.connect() as conn:
        sources = [r[0] for r in conn.execute(text("SELECT source FROM events"))]
    assert "key [REDACTED] in a message" in sources
