#!/usr/bin/env bash
# Every check: lint, types, import contracts, the whole test suite. Run by `make test`.
# The suite runs inside a private D-Bus session with an unlocked gnome-keyring, so keyring
# tests hit a real Secret Service and never the user's own keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"

echo "== ruff"; ruff check .
echo "== mypy (strict)"; mypy
echo "== import contracts"; lint-imports

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/data" "$scratch/runtime" "$scratch/config" "$scratch/home"
chmod 700 "$scratch/runtime"
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime" XDG_CONFIG_HOME="$scratch/config"
export TRENDFORGE_HOME="$scratch/home" QT_QPA_PLATFORM=offscreen
unset DISPLAY WAYLAND_DISPLAY

echo "== pytest"
dbus-run-session -- bash -c '
  printf %s test-keyring-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec python -m pytest "$@"
' pytest "$@"
