"""Render a template's web UI at phone size to PNG files, headlessly, with QtWebEngine (Chromium).

Run as a child process: ``python -m ui.render.web_shots --root DIR --out DIR [--size 1080x1920]
[--scale 3] ROUTE...``. ``DIR`` is served on 127.0.0.1 (a free port, stopped at the end) so the page
loads its ``content.json`` like it does in the app; each ROUTE (``""``, ``"#/favourites"``...) becomes
``phone-N.png``. Why QtWebEngine: it ships with pyside6-addons (already a dependency), it is the same
Chromium engine as Android's WebView, and it needs no browser installed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
from pathlib import Path

SETTLE_MS = 300  # between two grabs: a shot is saved once two grabs in a row are the same picture
STABLE_TRIES = 20
READY_WAIT_MS = 10_000  # a page sets document.documentElement.dataset.ready once it has shown its content


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(root: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def render(root: Path, out: Path, routes: list[str], size: tuple[int, int], scale: float) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")
    from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, QUrl
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    server = _serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    errors: list[str] = []
    class Page(QWebEnginePage):
        def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
                                     line: int, source: str) -> None:
            sys.stderr.write(f"console: {source.rsplit('/', 1)[-1]}:{line}: {message}\n")

    profile = QWebEngineProfile(app)  # off the record: no cache or storage kept between runs
    view = QWebEngineView()
    page = Page(profile, view)
    view.setPage(page)
    page.settings().setAttribute(QWebEngineSettings.WebAttribute.ShowScrollBars, False)  # phones overlay them
    view.resize(*size)
    view.setZoomFactor(scale)
    queue = list(enumerate(routes, start=1))

    def next_route() -> None:
        if not queue:
            app.quit()
            return
        n, route = queue[0]
        # a query per shot makes each route a new document (a hash change alone fires no loadFinished)
        view.load(QUrl(f"{base}?shot={n}" + (route if route.startswith("#") or not route else f"#{route}")))

    def on_loaded(ok: bool) -> None:
        if not ok:
            errors.append(f"the page did not load for route {queue[0][1]!r}")
            app.quit()
            return
        poll(READY_WAIT_MS)

    def poll(left_ms: int) -> None:
        def answer(ready: object) -> None:
            if ready == "1" or left_ms <= 0:
                QTimer.singleShot(SETTLE_MS, grab)
            else:
                QTimer.singleShot(100, lambda: poll(left_ms - 100))

        page.runJavaScript("document.documentElement.dataset.ready || ''", 0, answer)

    def grab(previous: QImage | None = None, tries: int = STABLE_TRIES) -> None:
        image = view.grab().toImage()
        if (previous is None or image != previous) and tries > 0:
            # the compositor may still show an older frame (a loaded machine): wait for a stable picture
            QTimer.singleShot(SETTLE_MS, lambda: grab(image, tries - 1))
            return
        n, _route = queue.pop(0)
        target = out / f"phone-{n}.png"
        if not image.save(str(target)):  # the format follows the .png suffix
            errors.append(f"could not write {target}")
        written.append(target)
        next_route()

    view.loadFinished.connect(on_loaded)
    view.show()
    QTimer.singleShot(0, next_route)
    def give_up() -> None:
        errors.append("rendering took over 60 s")
        app.quit()

    QTimer.singleShot(60_000, give_up)
    app.exec()
    view.close()
    page.deleteLater()  # the page goes before its profile
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    server.shutdown()
    server.server_close()
    if errors:
        raise SystemExit("web_shots: " + "; ".join(errors))
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="web_shots", description=__doc__)
    p.add_argument("--root", type=Path, required=True, help="folder with index.html, content.json, app.json")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--size", default="1080x1920", help="pixels, WIDTHxHEIGHT")
    p.add_argument("--scale", type=float, default=3.0, help="device pixel ratio (CSS px = size / scale)")
    p.add_argument("routes", nargs="*", default=[""])
    a = p.parse_args(argv)
    width, _, height = a.size.partition("x")
    for path in render(a.root, a.out, a.routes or [""], (int(width), int(height)), a.scale):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
