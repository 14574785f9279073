"""Settings > Credentials: a format hint per provider, the format checked as typed, and Test connection
against localstripe and the Gumroad stand-in on 127.0.0.1 (off the GUI thread, the answer in words)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support import payments_standins as st
from ui.settings_dialog import SettingsDialog


@pytest.fixture(autouse=True)
def _drain_background_jobs(qtbot: QtBot) -> Iterator[None]:
    yield
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(15000)
    qtbot.wait(20)


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
