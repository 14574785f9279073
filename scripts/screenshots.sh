#!/usr/bin/env bash
# Screenshots of every panel into docs/screenshots/, on a real X server (Xvfb) when there is no display.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" env QT_QPA_PLATFORM=xcb "$VENV/bin/python" scripts/screenshots.py "$@"
fi
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-xcb} exec "$VENV/bin/python" scripts/screenshots.py "$@"
