"""Settings > Credentials: a format hint per provider, the format checked as typed, and Test connection
against localstripe, the Gumroad, Play and trend-source stand-ins on 127.0.0.1 (off the GUI thread, the answer in words)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support import payments_standins as st
from tests.support.play_standin import running_standin
from tests.support.trends_standins import Reply, StandIn, tiktok_hashtags, x_trends
from ui.settings_dialog import SettingsDialog

TIKTOK_PATH = "/creative_radar_api/v1/popular_trend/hashtag/list"


pytestmark = pytest.mark.usefixtures("drain_background_jobs")


def _dialog(qtbot: QtBot, services: Any) -> SettingsDialog:
    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    return dialog


def test_the_focused_field_shows_what_its_credential_looks_like(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.secret_edits["stripe"].setFocus()
    qtbot.waitUntil(lambda: "sk_test_" in dialog.hint.text(), timeout=5000)
    assert "Not the publishable key" in dialog.hint.text()
    dialog.secret_edits["gumroad"].setFocus()
    qtbot.waitUntil(lambda: dialog.hint.text().startswith("Gumroad access token:"), timeout=5000)
    assert QApplication.focusWidget() is dialog.secret_edits["gumroad"]


def test_a_publishable_key_is_refused_as_typed(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    dialog.secret_edits["stripe"].setText("pk_test_51Habc")
    assert dialog.secret_state["stripe"].text() == "✗ check format"
    assert not dialog.save_buttons["stripe"].isEnabled()
    assert "publishable key (pk_…)" in dialog.error.text()
    dialog.secret_edits["stripe"].setText("sk_test_51Habc")
    assert dialog.save_buttons["stripe"].isEnabled() and dialog.error.text() == ""


def test_a_json_file_pasted_as_a_token_is_refused_by_the_service(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    dialog.secret_edits["gumroad"].setText('{"type": "service_account"}')
    assert not dialog.save_buttons["gumroad"].isEnabled()
    dialog.save_secret("gumroad")  # the service decides too: nothing is stored
    assert "JSON document" in dialog.error.text() and "nothing was stored" in dialog.error.text()
    assert services.settings.credential("gumroad") is None


@pytest.mark.child_process
def test_test_connection_with_a_typed_stripe_key_on_localstripe(qtbot: QtBot, make_services: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with st.localstripe() as url:
        monkeypatch.setenv("TRENDFORGE_STRIPE_BASE_URL", url)
        services = make_services()
        dialog = _dialog(qtbot, services)
        dialog.secret_edits["stripe"].setText(st.STRIPE_KEY)
        with qtbot.waitSignal(dialog.tested, timeout=20000) as ok:
            dialog.test_buttons["stripe"].click()
        assert ok.args == ["stripe", True]
        assert dialog.test_result.text() == "✔ Stripe accepted the key — not stored yet: press Save to keep it"
        assert services.settings.credential("stripe") is None  # testing stores nothing

        dialog.secret_edits["stripe"].setText("rk_test_notaccepted")  # localstripe takes sk_ keys only
        with qtbot.waitSignal(dialog.tested, timeout=20000) as refused:
            dialog.test_buttons["stripe"].click()
        assert refused.args == ["stripe", False]
        assert dialog.test_result.text().startswith("✗ stripe: stripe rejected the API key")


def test_test_connection_uses_the_stored_gumroad_token(qtbot: QtBot, make_services: Any, secrets: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    state = st.GumroadState(products=[{"id": "p1", "name": "Quotes Pro"}])
    with st.GumroadServer(state) as server:
        monkeypatch.setenv("TRENDFORGE_GUMROAD_BASE_URL", server.url + "/v2")
        secrets.set("provider:gumroad", state.token)
        dialog = _dialog(qtbot, make_services())
        with qtbot.waitSignal(dialog.tested, timeout=20000) as ok:
            dialog.test_buttons["gumroad"].click()
        assert ok.args == ["gumroad", True]
        assert dialog.test_result.text() == "✔ Gumroad accepted the token (1 product)"
        assert state.requests and all("gum-token" not in r for r in state.requests)  # in a header, not the URL


def test_ko_fi_has_no_test_button_and_says_why(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    assert "kofi" not in dialog.test_buttons and {"stripe", "gumroad", "itch"} <= set(dialog.test_buttons)
    dialog.show_hint("kofi")
    assert "no API to test it against" in dialog.hint.text()


def _test_in_dialog(qtbot: QtBot, dialog: SettingsDialog, name: str) -> list[Any]:
    with qtbot.waitSignal(dialog.tested, timeout=20000) as done:
        dialog.test_buttons[name].click()
    return list(done.args)


def test_test_connection_mints_a_play_token_with_the_stored_key(qtbot: QtBot, make_services: Any) -> None:
    with running_standin() as play:
        account = play.add_account()
        services = make_services()
        services.releases.store_key(play.key_json(account))
        dialog = _dialog(qtbot, services)
        assert _test_in_dialog(qtbot, dialog, "play") == ["play", True]
        assert dialog.test_result.text() == f"✔ Google accepted the key of {account.email}"
        assert play.token_requests == 1


def test_test_connection_with_a_revoked_play_key_names_the_account(qtbot: QtBot, make_services: Any) -> None:
    with running_standin() as play:
        account = play.add_account()
        services = make_services()
        services.releases.store_key(play.key_json(account))
        account.revoked = True
        dialog = _dialog(qtbot, services)
        assert _test_in_dialog(qtbot, dialog, "play") == ["play", False]
        text = dialog.test_result.text()
        assert text.startswith(f"✗ play: Google refused the Play key of {account.email}") and "\n" not in text


@pytest.fixture
def trends_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    server = StandIn().start()
    for name in ("X", "TIKTOK"):
        monkeypatch.setenv(f"TRENDFORGE_{name}_BASE_URL", server.url)
    yield server
    server.stop()


def test_test_connection_with_a_typed_x_token(qtbot: QtBot, make_services: Any, trends_standin: StandIn) -> None:
    trends_standin.routes["/trends/by/woeid/1"] = Reply(200, x_trends([("#SuperBowl", 120000)]))
    services = make_services()
    dialog = _dialog(qtbot, services)
    dialog.secret_edits["x"].setText("AAAA-typed-bearer")
    assert _test_in_dialog(qtbot, dialog, "x") == ["x", True]
    assert dialog.test_result.text() == ("✔ X answered with 1 trend (first: #SuperBowl)"
                                         " — not stored yet: press Save to keep it")
    assert trends_standin.requests[-1].headers["authorization"] == "Bearer AAAA-typed-bearer"
    assert services.settings.credential("x") is None


def test_test_connection_with_a_refused_x_token(qtbot: QtBot, make_services: Any, trends_standin: StandIn) -> None:
    trends_standin.routes["/trends/by/woeid/1"] = Reply(401, b'{"title": "Unauthorized", "status": 401}')
    dialog = _dialog(qtbot, make_services())
    dialog.secret_edits["x"].setText("AAAA-revoked-bearer")
    assert _test_in_dialog(qtbot, dialog, "x") == ["x", False]
    assert dialog.test_result.text().startswith("✗ x: access refused (HTTP 401); check the credential")


def test_test_connection_with_the_stored_tiktok_headers(qtbot: QtBot, make_services: Any, secrets: Any,
                                                        trends_standin: StandIn) -> None:
    trends_standin.routes[TIKTOK_PATH] = Reply(200, tiktok_hashtags([("fyp", 9_000_000), ("aiart", 120_000)]))
    secrets.set("provider:tiktok", "Cookie: sessionid=abc123")
    dialog = _dialog(qtbot, make_services())
    assert _test_in_dialog(qtbot, dialog, "tiktok") == ["tiktok", True]
    assert dialog.test_result.text() == "✔ TikTok answered with 2 trends (first: #fyp)"
    assert trends_standin.requests[-1].headers["cookie"] == "sessionid=abc123"


def test_test_connection_with_refused_tiktok_headers(qtbot: QtBot, make_services: Any,
                                                     trends_standin: StandIn) -> None:
    trends_standin.routes[TIKTOK_PATH] = Reply(200, b'{"code": 40101, "msg": "no permission"}')
    dialog = _dialog(qtbot, make_services())
    dialog.secret_edits["tiktok"].setText("Cookie: sessionid=expired")
    assert _test_in_dialog(qtbot, dialog, "tiktok") == ["tiktok", False]
    assert dialog.test_result.text() == "✗ tiktok: API code 40101: no permission"
