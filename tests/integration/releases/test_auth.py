"""Service-account auth against the stand-in token endpoint: JWT bearer grant, caching, refresh, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from app.errors import UserError
from services.bootstrap import Services
from tests.support.play_standin import Account, PlayStandIn
from tests.support.store_dump import stored_bytes

from .conftest import PACKAGE


class MovableClock:
    """The app's clock (passed in through bootstrap), moved forward instead of waiting an hour."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_a_token_is_minted_once_and_reused_until_it_expires(
        make_services: Callable[..., Services], play: PlayStandIn, account: Account) -> None:
    clock = MovableClock()
    services = make_services(clock=clock)
    services.releases.store_key(play.key_json(account))
    services.releases.tracks(PACKAGE)
    services.releases.tracks(PACKAGE)
    assert play.token_requests == 1 and services.releases.tokens_minted == 1
    # an hour later both clocks agree the token is stale: a new one is minted before the call
    clock.offset += timedelta(seconds=3600)
    play.advance(3600)
    assert all(not t.releases for t in services.releases.tracks(PACKAGE))
    assert play.token_requests == 2
    assert not any(code == 401 for code in play.statuses)


def test_a_token_refused_as_expired_is_minted_again_and_the_call_retried(
        keyed: Services, play: PlayStandIn) -> None:
    keyed.releases.tracks(PACKAGE)
    play.advance(4000)  # Play's clock says the token expired though ours does not yet
    keyed.releases.tracks(PACKAGE)
    assert play.token_requests == 2
    assert 401 in play.statuses


def test_a_revoked_key_is_one_line_naming_the_account(keyed: Services, play: PlayStandIn,
                                                      account: Account) -> None:
    account.revoked = True
    with pytest.raises(UserError) as err:
        keyed.releases.tracks(PACKAGE)
    message = str(err.value)
    assert account.email in message and "revoked" in message and "\n" not in message
    assert "invalid_grant" in message


def test_an_account_without_access_to_the_app_is_told_what_to_grant(keyed: Services, play: PlayStandIn,
                                                                    account: Account) -> None:
    play.grants[account.email].clear()
    with pytest.raises(UserError, match=rf"{account.email} has no access to {PACKAGE}.*Users and permissions"):
        keyed.releases.tracks(PACKAGE)


@pytest.mark.parametrize(("text", "expected"), [
    ("not json at all", "not JSON"),
    ('{"type": "service_account", "client_email": "x@p.iam.gserviceaccount.com"}',
     "x@p.iam.gserviceaccount.com lacks private_key, private_key_id, token_uri"),
    ('{"type": "authorized_user", "client_email": "me@example.com", "private_key": "k", "private_key_id": "1",'
     ' "token_uri": "http://127.0.0.1:9/token"}', "of type 'authorized_user'"),
    ('{"type": "service_account", "client_email": "y@p.iam.gserviceaccount.com", "private_key": "garbage",'
     ' "private_key_id": "1", "token_uri": "http://127.0.0.1:9/token"}', "private key in the Google Play key of y@"),
])
def test_a_malformed_key_is_refused_and_not_stored(services: Services, text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        services.releases.store_key(text)
    assert services.ctx.secrets.get("provider:play") is None


def test_the_key_lives_in_the_secret_store_only(keyed: Services, account: Account) -> None:
    assert keyed.releases.account() == account.email
    assert "PRIVATE KEY" in (keyed.ctx.secrets.get("provider:play") or "")
    raw = stored_bytes(keyed)
    assert b"PRIVATE KEY" not in raw and account.key_id.encode() not in raw


def test_testing_a_typed_key_mints_a_token_and_stores_nothing(services: Services, play: PlayStandIn,
                                                              account: Account) -> None:
    answer = services.releases.test_key(play.key_json(account))
    assert answer == f"Google accepted the key of {account.email}"
    assert play.token_requests == 1  # against the key's own token_uri (the stand-in's /token)
    assert services.releases.account() is None  # testing stores nothing


def test_testing_the_stored_key_of_a_revoked_account_names_the_account(keyed: Services, play: PlayStandIn,
                                                                       account: Account) -> None:
    account.revoked = True
    with pytest.raises(UserError) as refused:
        keyed.releases.test_key()
    message = str(refused.value)
    assert message.startswith(f"Google refused the Play key of {account.email}") and "\n" not in message
    assert "Service accounts > Keys" in message  # what to check
