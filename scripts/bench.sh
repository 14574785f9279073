#!/usr/bin/env bash
# Run every benchmark in bench/; each prints its figures beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
for script in bench/*.py; do
  echo
  echo "######## $script"
  "$VENV/bin/python" "$script"
done
