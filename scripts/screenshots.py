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
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.events import AppStarted, CredentialSet, SettingsChanged  # noqa: E402
from services.bootstrap import ServiceManager, bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402
from ui.app_runner import create_window  # noqa: E402


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def seed(services: ServiceManager) -> None:
    """Sample data through the real services; each area adds what it has."""
    services.bus.publish(AppStarted(version="0.1.0", data_dir=str(services.config.data_dir)))
    services.settings.set_credential("stripe", "sk_test_screenshot")
    services.bus.publish(SettingsChanged(keys=("ui.theme",)))
    services.bus.publish(CredentialSet(name="gumroad"))
    templates = services.extra.get("templates")
    importer = getattr(templates, "import_samples", None)
    if callable(importer):
        importer()


def main() -> int:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as d:
        services = bootstrap(AppConfig(data_dir=Path(d), log_to_file=False), secrets=MemorySecretStore())
        seed(services)
        window = create_window(services)
        window.resize(1280, 800)
        window.show()
        settle(800)
        for spec in window.specs:
            window.show_panel(spec.title)
            settle(600)
            path = out / f"{spec.title.lower()}.png"
            window.grab().save(str(path))
            print(f"saved {path.relative_to(ROOT)}")
        window.show_panel("Templates")
        settle(300)
        window.grab().save(str(out / "main-window.png"))
        window.close()
        QCoreApplication.processEvents()
        services.close()
    del app
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
