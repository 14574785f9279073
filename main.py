"""Entry point: argv -> CLI command, or QApplication + MainWindow on a qasync loop."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _wants_gui(argv: Sequence[str]) -> bool:
    """No command (only --data-dir DIR, --database URL and --quit-after SECONDS) opens the GUI."""
    rest = list(argv)
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg in ("--data-dir", "--database"):
            i += 2
            continue
        if arg.startswith(("--data-dir=", "--database=", "--quit-after=")):
            i += 1
            continue
        if arg == "--quit-after":
            i += 2
            continue
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before any of the app is imported
        import app

        print(app.VERSION_LINE)
        return 0
    from services.httpx_import import skip_httpx_command_line

    skip_httpx_command_line()  # before anything imports httpx (GUI and CLI alike)
    if _wants_gui(args):
        from ui.startup_gc import pause

        pause()  # no garbage collection while the GUI starts (run_gui resumes it once start-up is complete)
        import PySide6.QtCore  # noqa: F401 - first, so that its import hook is made cheap for all the GUI imports next

        from services.qt_imports import skip_feature_source_scans

        skip_feature_source_scans()
        from ui.app_runner import run_gui

        opts: dict[str, str] = {}
        for i, arg in enumerate(args):
            for name in ("--data-dir", "--database", "--quit-after"):
                if arg == name and i + 1 < len(args):
                    opts[name] = args[i + 1]
                elif arg.startswith(name + "="):
                    opts[name] = arg.split("=", 1)[1]
        quit_after = float(opts["--quit-after"]) if "--quit-after" in opts else None
        return run_gui(opts.get("--data-dir"), quit_after=quit_after, database=opts.get("--database"))
    from ui.cli.main import run

    return int(run(args))


if __name__ == "__main__":
    sys.exit(main())
