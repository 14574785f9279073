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
# the interpreter's own extension modules carry the build machine's library folder as RUNPATH (a folder that may
# not exist, or belong to someone else, where the bundle runs): keep only the bundle-relative $ORIGIN entries
while IFS= read -r -d '' f; do
  rpath=$(patchelf --print-rpath "$f" 2>/dev/null) || continue
  [ -n "$rpath" ] || continue
  kept=$(tr ':' '\n' <<<"$rpath" | grep '^\$ORIGIN' | paste -sd: || true)
  if [ "$kept" != "$rpath" ]; then
    if [ -n "$kept" ]; then patchelf --set-rpath "$kept" "$f"; else patchelf --remove-rpath "$f"; fi
  fi
done < <("$VENV/bin/python" scripts/list_elf.py "$out/trendforge")
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
