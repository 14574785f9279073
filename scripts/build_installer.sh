#!/usr/bin/env bash
# Build the PyInstaller onedir package, the .tar.gz installer and the .deb; print their sizes.
# Usage: scripts/build_installer.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
out=${1:-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$("$VENV/bin/python" -c "import app; print(app.__version__)")
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$out" --workpath "$work" build_installer.spec
# desktop integration beside the executable
cp packaging/trendforge.desktop "$out/trendforge/trendforge.desktop"
cp resources/icons/trendforge.svg "$out/trendforge/trendforge.svg"
cp packaging/INSTALL.txt "$out/trendforge/INSTALL.txt"
archive="$out/trendforge-$version-linux-$(uname -m).tar.gz"
tar -C "$out" -czf "$archive" trendforge
unpacked=$(du -sm "$out/trendforge" | cut -f1)
packed=$(du -sm "$archive" | cut -f1)
echo "package: $out/trendforge  unpacked ${unpacked} MB (budget 200 MB)"
echo "installer: $archive  ${packed} MB"
bash scripts/build_deb.sh "$out/trendforge" "$out"
