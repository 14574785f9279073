#!/usr/bin/env bash
# Run every benchmark in bench/; each prints its figures beside a baseline measured in the same run.
# The headline rows (bench/table.py) are gathered into one table at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for script in bench/*.py; do
  case "$script" in bench/table.py | bench/gui_stalls.py) continue ;; esac  # helpers, not benches
  echo
  echo "######## $script"
  "$VENV/bin/python" "$script" | tee >(grep '^BENCH|' >>"$rows" || true) | grep -v '^BENCH|' || true
done
sleep 0.2
echo
echo "######## summary ($(uptime | sed 's/.*load/load/'))"
{
  echo "figure|value|baseline|ratio|target|met"
  sed 's/^BENCH|//' "$rows"
} | column -t -s '|'
