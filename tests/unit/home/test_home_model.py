"""Home's pure rules: the revenue windows, the per-currency fold, the guide's steps."""

from __future__ import annotations

from datetime import date

from app.home.model import GuideFacts, GuideStep, guide, revenue_by_currency, revenue_windows

WED = date(2026, 10, 21)


def test_week_starts_monday_month_on_the_first_sparkline_is_thirty_days() -> None:
    w = revenue_windows(WED)
    assert (w.week_start, w.month_start, w.spark_start, w.until) == (
        date(2026, 10, 19), date(2026, 10, 1), date(2026, 9, 22), date(2026, 10, 22))
    assert w.since == date(2026, 9, 22)


def test_revenue_folds_days_into_week_month_and_sparkline_per_currency() -> None:
    w = revenue_windows(WED)
    rows = [("2026-10-20", "USD", 1000), ("2026-10-05", "USD", 500), ("2026-09-25", "EUR", 700),
            ("2026-10-21", "USD", 1), ("2026-09-01", "USD", 99999)]
    usd, eur = revenue_by_currency(rows, w)
    assert (usd.currency, usd.week_net, usd.month_net) == ("USD", 1001, 1501)
    assert (eur.currency, eur.week_net, eur.month_net) == ("EUR", 0, 0)
    assert len(usd.daily_net) == 30 and usd.daily_net[-1] == 1 and usd.daily_net[-2] == 1000
    assert eur.daily_net[3] == 700 and sum(eur.daily_net) == 700  # Sep 25 is the 4th day


def test_guide_on_a_new_data_dir_has_only_the_keyring_done() -> None:
    items = guide(GuideFacts(True, "SecretService", 0, 0, 0, 0, 0))
    assert [i.step for i in items] == list(GuideStep)
    assert [i.done for i in items] == [True, False, False, False, False, False, False]


def test_a_key_without_a_backup_leaves_the_backup_step_to_do() -> None:
    items = {i.step: i for i in guide(GuideFacts(True, "SecretService", 3, 2, 0, 0, 0, keys_backed_up=1))}
    assert items[GuideStep.UPLOAD_KEY].done and not items[GuideStep.KEY_BACKUP].done
    assert items[GuideStep.KEY_BACKUP].detail.startswith("1 of 2 keys not backed up yet")


def test_the_backup_step_is_done_once_every_key_is_exported() -> None:
    items = {i.step: i for i in guide(GuideFacts(True, "SecretService", 3, 2, 0, 0, 0, keys_backed_up=2))}
    assert items[GuideStep.KEY_BACKUP].done and items[GuideStep.KEY_BACKUP].detail == "2 keys backed up"


def test_guide_says_what_to_install_when_the_keyring_is_unreachable() -> None:
    keyring = guide(GuideFacts(False, "no usable keyring backend (fail.Keyring)", 3, 1, 1, 1, 1))[0]
    assert not keyring.done
    assert "fail.Keyring" in keyring.detail and "gnome-keyring" in keyring.detail
