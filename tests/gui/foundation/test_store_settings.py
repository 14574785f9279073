"""Settings > Shared store against the private PostgreSQL cluster: the store in use shown with its password
masked, the URL checked as typed by the rule --database uses, Test connection off the GUI thread (the server's
version, or the one-line error), and Save for the next start, with no password in the settings file or the store."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from services.db.store_choice import StoreSource, saved_file
from tests.support.postgres import Cluster, free_port
from tests.support.store_dump import stored_bytes
from ui.settings_dialog import SettingsDialog

PASSWORD = "hunter22secret"


pytestmark = pytest.mark.usefixtures("drain_background_jobs")


def _dialog(qtbot: QtBot, services: Any) -> SettingsDialog:
    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    return dialog


def _with_password(url: str) -> str:
    user, rest = url.split("@", 1)
    return f"{user}:{PASSWORD}@{rest}"


def test_the_store_in_use_is_shown_with_its_password_masked(qtbot: QtBot, make_services: Any, pg_database: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDFORGE_DATABASE_URL", _with_password(pg_database))  # the cluster trusts loopback
    dialog = _dialog(qtbot, make_services())
    shown = dialog.store_current.text()
    assert PASSWORD not in shown and ":***@" in shown
    assert shown.endswith("(chosen by TRENDFORGE_DATABASE_URL)")


def test_a_typed_url_is_checked_in_one_line_as_typed(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    dialog.store_edit.setText("mysql://maker@db/trendforge")
    assert dialog.store_result.text() == ("✗ TrendForge stores data in SQLite or PostgreSQL, not 'mysql': "
                                          "give postgresql+psycopg://USER@HOST:5432/DBNAME")
    assert not dialog.store_save.isEnabled() and not dialog.store_test.isEnabled()
    dialog.store_edit.setText("postgresql+psycopg://maker@db/trendforge")
    assert dialog.store_result.text() == "" and dialog.store_save.isEnabled() and dialog.store_test.isEnabled()


def test_a_url_with_a_password_is_refused_and_reaches_neither_file_nor_store(qtbot: QtBot, services: Any,
                                                                            pg_database: str) -> None:
    dialog = _dialog(qtbot, services)
    dialog.store_edit.setText(_with_password(pg_database))
    assert "put the password in ~/.pgpass" in dialog.store_result.text()
    assert not dialog.store_save.isEnabled()
    with pytest.raises(Exception, match="nothing was saved"):  # the service decides too
        services.settings.save_store(_with_password(pg_database))
    dialog.accept()  # OK with the refused URL keeps the dialog open on this tab
    assert dialog.tabs.currentWidget() is dialog.store_tab and PASSWORD not in dialog.store_result.text()
    assert not saved_file(services.config.data_dir).exists()
    assert PASSWORD.encode() not in stored_bytes(services)


def test_test_connection_names_the_server_version(qtbot: QtBot, services: Any, pg_database: str,
                                                  pg_cluster: Cluster) -> None:
    dialog = _dialog(qtbot, services)
    dialog.store_edit.setText(pg_database)
    with qtbot.waitSignal(dialog.store_tested, timeout=20000) as ok:
        dialog.store_test.click()
    assert ok.args == [True]
    assert dialog.store_result.text().startswith(f"✔ connected to {pg_database}: PostgreSQL 1")
    assert "it holds a TrendForge store — not saved yet: press Save" in dialog.store_result.text()
    assert not saved_file(services.config.data_dir).exists()  # testing saves nothing


def test_test_connection_to_no_server_is_one_line(qtbot: QtBot, services: Any) -> None:
    dialog = _dialog(qtbot, services)
    dialog.store_edit.setText(f"postgresql+psycopg://maker@127.0.0.1:{free_port()}/trendforge")
    with qtbot.waitSignal(dialog.store_tested, timeout=20000) as ok:
        dialog.store_test.click()
    assert ok.args == [False]
    text = dialog.store_result.text()
    assert text.startswith("✗ cannot connect to postgresql+psycopg://maker@127.0.0.1:") and "\n" not in text
    assert dialog.store_test.isEnabled()


def test_save_is_used_by_the_next_start(qtbot: QtBot, make_services: Any, pg_database: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRENDFORGE_DATABASE_URL", raising=False)
    first = make_services()
    dialog = _dialog(qtbot, first)
    dialog.store_edit.setText(pg_database)
    assert dialog.save_store()
    assert dialog.store_result.text() == f"✔ saved: the next start opens {pg_database}"
    assert pg_database in saved_file(first.config.data_dir).read_text()

    again = make_services()  # the next start: no flag, no env var
    assert again.config.store_source is StoreSource.SETTING and again.config.database_url == pg_database
    assert again.settings.store_in_use().where == pg_database
    assert again.ctx.engine.dialect.name == "postgresql" and again.templates.count() == 0  # it opened and answers


def test_save_says_when_the_environment_wins_over_it(qtbot: QtBot, make_services: Any, pg_database: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRENDFORGE_DATABASE_URL", pg_database)
    dialog = _dialog(qtbot, make_services())
    dialog.store_edit.setText("postgresql+psycopg://ana@db.studio.lan/trendforge")
    assert dialog.save_store()
    assert dialog.store_result.text() == ("✔ saved: postgresql+psycopg://ana@db.studio.lan/trendforge opens at a "
                                          "start without TRENDFORGE_DATABASE_URL, which is set now and wins over it")
