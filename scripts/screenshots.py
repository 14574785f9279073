"""Render every panel of the main window with sample data and save PNGs in docs/screenshots/.

Run by `make screenshots` (under Xvfb when there is no display). Uses a throwaway data dir and
a memory secret store, so nothing of the user's is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from app.events import AppStarted, CredentialSet, SettingsChanged  # noqa: E402
from bench.builds_ended import ended  # noqa: E402 - a build awaited as the CLI awaits it
from services.bootstrap import Services, bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402
from ui.app_runner import create_window  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.theme import apply_theme  # noqa: E402


def shoot_home(app: QApplication, window: MainWindow, out: Path, name: str) -> None:
    """Home in the light and the dark theme (``home-NAME-light.png``, ``home-NAME-dark.png``)."""
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        home = window.show_panel("Home")
        reload = getattr(home, "reload", None)
        if reload is not None:
            reload()
        settle(900)
        path = out / f"home-{name}-{theme}.png"
        window.grab().save(str(path))
        print(f"saved {path.relative_to(ROOT)}")
    apply_theme(app, "light")


def shoot_small(app: QApplication, window: MainWindow, folder: Path) -> None:
    """Every panel at the minimum window size in both themes, to look for clipped or unreadable text
    (``PANEL-960x600-THEME.png``; not committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(960, 600)
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        for spec in window.specs:
            window.show_panel(spec.title)
            settle(500)
            window.grab().save(str(folder / f"{spec.title.lower()}-960x600-{theme}.png"))
    apply_theme(app, "light")
    window.resize(1280, 800)


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def seed(services: Services) -> None:
    """Sample data through the real services; each area adds what it has."""
    services.bus.publish(AppStarted(version="0.1.0", data_dir=str(services.config.data_dir)))
    services.settings.set_credential("stripe", "sk_test_screenshot")
    services.bus.publish(SettingsChanged(keys=("ui.theme",)))
    services.bus.publish(CredentialSet(name="gumroad"))
    samples = ROOT / "resources" / "samples"
    for folder in sorted(p for p in samples.iterdir() if (p / "template.json").is_file()):
        services.templates.import_path(folder)
    services.templates.add_review("quotes-daily", 5, "Clean and fast", reviewer="ana")
    services.templates.add_review("quotes-daily", 4, "Nice quotes", reviewer="ben")
    csv = services.config.data_dir / "trends.csv"
    series = {
        "Cozy games": ([40, 45, 60, 90, 150, 260, 420, 610], "games"),
        "Stoic quotes": ([300, 310, 305, 320, 330, 335, 350, 360], "lifestyle"),
        "Retro wallpapers": ([500, 480, 430, 360, 300, 240, 200, 170], "personalization"),
        "Trivia night": ([0, 0, 0, 5, 30, 120, 400, 900], "games"),
    }
    lines = ["title,volume,rank,taken_at,category"]
    for rank, (title, (values, category)) in enumerate(series.items(), start=1):
        lines += [f"{title},{v},{rank},2026-11-{10 + i:02d}T00:00:00Z,{category}" for i, v in enumerate(values)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    services.trends.import_csv("reddit", csv)
    kofi = services.config.data_dir / "kofi.csv"
    rows = ["DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId"]
    for i in range(24):
        rows.append(f"2026-11-{1 + i:02d} 12:00:00,Fan {i},thanks,,{3 + (i * 7) % 11}.00,USD,Donation,tx-{i}")
    kofi.write_text("\n".join(rows) + "\n", encoding="utf-8")
    services.payments.import_file("kofi", kofi)
    services.builds.create_key("upload", dname="CN=Screenshot, O=TrendForge, C=US")
    for template_id, version in (("quotes-daily", "1.0.0"), ("trivia-quiz", "1.2.0")):
        info = services.builds.start_build(template_id, version, "apk", key_alias="upload")
        ended(services.builds, info.id, timeout_s=120)
    web = services.builds.start_build("wallpaper-pack", "0.9.0", "web")
    ended(services.builds, web.id, timeout_s=120)
    import asyncio

    import qasync

    loop = qasync.QEventLoop(QApplication.instance())
    asyncio.set_event_loop(loop)
    inputs = {"base_template": "trivia-quiz", "deploy_dir": str(services.config.data_dir / "releases"), "key_alias": "upload"}
    loop.run_until_complete(services.workflows.run("trend-to-release", inputs))


def seed_play(services: Services) -> object:
    """The Releases view against the Play stand-in of the tests (loopback), with a staged rollout."""
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    from play_standin import PlayStandIn

    play = PlayStandIn().start()
    os.environ["TRENDFORGE_PLAY_BASE_URL"] = play.url
    account = play.add_account("publisher@my-indie-studio.iam.gserviceaccount.com")
    app = "com.trendforge.quotes"
    play.add_app(app, grant=account)
    play.seed(app, "production",
              {"versionCodes": ["10200"], "status": "completed",
               "releaseNotes": [{"language": "en-US", "text": "Daily quote widget"}]},
              {"versionCodes": ["10301"], "status": "inProgress", "userFraction": 0.2,
               "releaseNotes": [{"language": "en-US", "text": "Dark theme, share as image"},
                                {"language": "de-DE", "text": "Dunkles Design, als Bild teilen"}]})
    play.seed(app, "beta", {"versionCodes": ["10301"], "status": "completed"})
    play.add_track(app, "qa-team")  # a closed testing track made in Play Console
    play.seed(app, "internal", {"versionCodes": ["10302"], "status": "completed",
                                "releaseNotes": [{"language": "en-US", "text": "Faster start"}]})
    play.apps[app].listings = {
        "en-US": {"language": "en-US", "title": "Quotes Daily", "shortDescription": "One good quote every morning."},
        "de-DE": {"language": "de-DE", "title": "Zitate Täglich", "shortDescription": "Jeden Morgen ein gutes Zitat."},
    }
    services.releases.store_key(play.key_json(account))
    return play


def main() -> int:
    only = {a.lower() for a in sys.argv[1:]}  # panel titles to render (default: all)
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as fresh:
        services = bootstrap(AppConfig(data_dir=Path(fresh), log_to_file=False), secrets=MemorySecretStore())
        window = create_window(services)
        window.resize(1280, 800)
        window.show()
        shoot_home(app, window, out, "new")
        window.close()
        QCoreApplication.processEvents()
        services.close()
    with tempfile.TemporaryDirectory() as d:
        services = bootstrap(AppConfig(data_dir=Path(d), log_to_file=False), secrets=MemorySecretStore())
        seed(services)
        play = seed_play(services)
        window = create_window(services)
        window.resize(1280, 800)
        window.show()
        settle(800)
        shoot_home(app, window, out, "busy")
        small = os.environ.get("TRENDFORGE_SMALL_SHOTS")
        if small:
            shoot_small(app, window, Path(small))
        for spec in window.specs:
            if only and spec.title.lower() not in only:
                continue
            panel = window.show_panel(spec.title)
            settle(600)
            if spec.title == "Releases":
                panel.app_box.setCurrentText("com.trendforge.quotes")
                panel.reload()
                settle(1500)
                staged = [r for r in range(panel.tracks_table.rowCount())
                          if panel.tracks_table.item(r, 2).text() == "inProgress"]
                panel.tracks_table.selectRow(staged[0] if staged else 0)  # the running rollout
                settle(300)
                # the question each action asks first: exactly what changes on the track
                from PySide6.QtWidgets import QMessageBox

                from app.releases.model import ReleaseAction
                from ui.panels.releases_panel import confirm_text, confirm_title
                from ui.widgets.plain_text import message_box

                plan = services.releases.plan("com.trendforge.quotes", ReleaseAction.ROLLOUT, "production", fraction=0.5)
                box = message_box(window, QMessageBox.Icon.Question, confirm_title(plan), confirm_text(plan))
                box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
                box.show()
                settle(400)
                box.grab().save(str(out / "releases-confirm.png"))
                box.close()
            defs_view = getattr(panel, "defs_view", None)
            if defs_view is not None:  # workflows: show the definition that has a run
                model = defs_view.model()
                for row in range(model.rowCount()):
                    if "release" in str(model.index(row, 0).data()).lower():
                        defs_view.setCurrentIndex(model.index(row, 0))
                settle(600)
            # select the first row of the panel's main table, so the detail view has something to show
            tables = [t for t in panel.findChildren(QTableView) if t.isVisible() and t.model() and t.model().rowCount() > 0]
            if tables:
                tables[0].selectRow(0)
                settle(800)
            path = out / f"{spec.title.lower()}.png"
            window.grab().save(str(path))
            print(f"saved {path.relative_to(ROOT)}")
        if not only:
            window.show_panel("Templates")
            settle(300)
            window.grab().save(str(out / "main-window.png"))
        window.close()
        QCoreApplication.processEvents()
        services.close()
        if play is not None:
            play.stop()  # type: ignore[attr-defined]
    del app
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
