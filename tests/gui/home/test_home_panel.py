"""Home: what a new data dir and a busy one show, and where each item leads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.home.model import Area, GuideStep, ItemRef
from ui.app_runner import create_window
from ui.main_window import MainWindow
from ui.panels.home_panel import HomePanel


def open_home(qtbot: QtBot, services: Any) -> tuple[MainWindow, HomePanel]:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    home = window.panel("Home")
    assert isinstance(home, HomePanel)
    qtbot.waitUntil(lambda: home.overview is not None, timeout=5000)
    return window, home


def activate(qtbot: QtBot, home: HomePanel, lst: Any, ref: ItemRef) -> None:
    row = lst.row_of(ref)
    assert row >= 0, f"{ref} is not listed"
    lst.setCurrentRow(row)
    lst.setFocus()
    qtbot.keyClick(lst, "\r")


def test_a_new_data_dir_opens_on_home(qtbot: QtBot, services: Any) -> None:
    window, home = open_home(qtbot, services)
    assert window.current_title() == "Home"
    assert window.nav.item(0).text() == "Home"
    assert home.guide.isVisible()


def test_the_guide_on_a_new_data_dir_has_everything_but_the_keyring_to_do(qtbot: QtBot, services: Any) -> None:
    _window, home = open_home(qtbot, services)
    assert home.guide.state() == {s: s is GuideStep.KEYRING for s in GuideStep}
    assert home.guide.buttons[GuideStep.SAMPLES].isVisibleTo(home)
    assert not home.guide.buttons[GuideStep.KEYRING].isVisibleTo(home)


def test_import_samples_button_fills_the_catalogue_and_ticks_the_step(qtbot: QtBot, services: Any) -> None:
    _window, home = open_home(qtbot, services)
    home.guide.buttons[GuideStep.SAMPLES].click()
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.SAMPLES], timeout=10000)
    assert services.templates.count() == 3
    assert "3 templates" in home.guide.details[GuideStep.SAMPLES].text()


def test_revenue_shows_this_week_and_month_per_currency(qtbot: QtBot, busy: Any) -> None:
    _window, home = open_home(qtbot, busy)
    assert home.revenue_figures() == [("USD", "10.00 USD", "15.00 USD", "15.00 USD"),
                                      ("EUR", "0.00 EUR", "0.00 EUR", "7.00 EUR")]
    spark = home.revenue.findChild(object, "sparkline-EUR")
    assert spark is not None and sum(spark.values) == 700 and len(spark.values) == 30


def test_lists_show_recent_builds_emerging_trends_failed_payments_and_sick_sources(qtbot: QtBot, busy: Any) -> None:
    _window, home = open_home(qtbot, busy)
    builds = [home.builds.item(i).text() for i in range(home.builds.count())]
    assert builds[0].startswith("failed") and "aapt2 link failed" in builds[0]
    assert [r.item_id for r in home.trends.refs()] == ["a1" * 16]  # only the emerging one
    assert "Your card was declined." in home.payments.item(0).text()
    health = [home.health.item(i).text() for i in range(home.health.count())]
    assert any("source reddit" in h and "HTTP 503" in h for h in health)


def test_a_build_opens_in_builds_selected(qtbot: QtBot, busy: Any) -> None:
    window, home = open_home(qtbot, busy)
    ref = ItemRef(Area.BUILDS, "1b" * 16)
    activate(qtbot, home, home.builds, ref)
    assert window.current_title() == "Builds"
    panel = window.panels["Builds"]
    qtbot.waitUntil(lambda: panel.selected() is not None and panel.selected().id == ref.item_id, timeout=5000)


def test_a_trend_opens_in_trends_selected(qtbot: QtBot, busy: Any) -> None:
    window, home = open_home(qtbot, busy)
    activate(qtbot, home, home.trends, ItemRef(Area.TRENDS, "a1" * 16))
    assert window.current_title() == "Trends"
    panel = window.panels["Trends"]
    qtbot.waitUntil(lambda: "Cozy games" in panel.detail_title.text(), timeout=5000)


def test_a_failed_payment_opens_in_payments_selected(qtbot: QtBot, busy: Any) -> None:
    window, home = open_home(qtbot, busy)
    ref = home.payments.refs()[0]
    activate(qtbot, home, home.payments, ref)
    assert window.current_title() == "Payments"
    panel = window.panels["Payments"]
    # the ledger is read off the GUI thread; the row is selected once it is shown
    qtbot.waitUntil(lambda: panel.selected() is not None, timeout=5000)
    assert panel.selected().id == ref.item_id


def test_a_failing_source_opens_trends(qtbot: QtBot, busy: Any) -> None:
    window, home = open_home(qtbot, busy)
    row = next(i for i in range(home.health.count()) if home.health.item(i).text().startswith("source reddit"))
    home.health.setCurrentRow(row)
    home.health.setFocus()
    qtbot.keyClick(home.health, "\r")
    assert window.current_title() == "Trends"


def test_a_run_waiting_for_approval_is_approved_from_home(qtbot: QtBot, services: Any,
                                                          drive: Callable[..., None]) -> None:
    _window, home = open_home(qtbot, services)
    run_id = services.workflows.start("approval-demo", {"what": "the cat app"})
    drive(lambda: any(r.id == run_id for r in (home.overview.runs if home.overview else [])))
    home.runs.setCurrentRow(home.runs.row_of(ItemRef(Area.WORKFLOWS, run_id)))
    assert "waiting for approval at approve" in home.runs.currentItem().text()
    assert home.approve_button.isEnabled() and not home.resume_button.isEnabled()
    home.approve_button.click()
    drive(lambda: services.workflows.show(run_id)["status"] == "succeeded")
    drive(lambda: home.overview is not None and not home.overview.runs)
    assert not home.approve_button.isEnabled()


def test_add_credential_step_opens_settings_and_ticks_once_saved(qtbot: QtBot, services: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.settings_dialog import SettingsDialog

    _window, home = open_home(qtbot, services)

    def save_one(cls: Any, svc: Any, parent: Any = None) -> bool:
        svc.settings.set_credential("stripe", "sk_test_home")
        return True

    monkeypatch.setattr(SettingsDialog, "ask", classmethod(save_one))
    home.guide.buttons[GuideStep.CREDENTIAL].click()
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.CREDENTIAL], timeout=5000)
    assert "1 credential saved" in home.guide.details[GuideStep.CREDENTIAL].text()


def test_release_step_opens_builds(qtbot: QtBot, services: Any) -> None:
    window, home = open_home(qtbot, services)
    home.guide.buttons[GuideStep.FIRST_RELEASE].click()
    assert window.current_title() == "Builds"


def test_the_guide_goes_away_once_every_step_is_done(qtbot: QtBot, services: Any) -> None:
    from app.home.model import GuideFacts, HomeOverview, guide

    _window, home = open_home(qtbot, services)
    done = HomeOverview(guide=guide(GuideFacts(True, "SecretService", 3, 1, 1, 1, 1, keys_backed_up=1)))
    home._generation += 1
    home._show(home._generation, done)
    assert not home.guide.isVisibleTo(home)
