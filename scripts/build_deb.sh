#!/usr/bin/env bash
# Build trendforge_VERSION_ARCH.deb from the PyInstaller bundle with dpkg-deb (no network).
# Usage: scripts/build_deb.sh BUNDLE_DIR OUT_DIR     (BUNDLE_DIR: the onedir folder holding `trendforge`)
#
# Layout: the bundle under /opt/trendforge, /usr/bin/trendforge -> the bundle's executable, the .desktop file in
# /usr/share/applications, the icon in the hicolor theme (scalable + PNG sizes), a man page, copyright and changelog.
# Depends is computed, not typed: every shared library some ELF file of the bundle needs and the bundle does not
# carry itself, mapped to its Debian package (versions from dpkg-shlibdeps), plus the fontconfig data and one font.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
bundle=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -x "$bundle/trendforge" ] || { echo "build_deb: $bundle/trendforge is not an executable bundle" >&2; exit 1; }

version=$("$VENV/bin/python" -c "import app; print(app.__version__)")
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"

install -d "$root/opt/trendforge" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/trendforge" "$root/usr/share/man/man1" "$root/DEBIAN"
# the program itself; the tarball's desktop file, icon and install notes are replaced by the system places below
cp -a "$bundle/trendforge" "$bundle/_internal" "$root/opt/trendforge/"
ln -s /opt/trendforge/trendforge "$root/usr/bin/trendforge"
install -m 0644 packaging/trendforge.desktop "$root/usr/share/applications/trendforge.desktop"
install -m 0644 resources/icons/trendforge.svg "$root/usr/share/icons/hicolor/scalable/apps/trendforge.svg"
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" scripts/render_icons.py resources/icons/trendforge.svg "$root/usr/share/icons/hicolor"
gzip -9n < packaging/trendforge.1 > "$root/usr/share/man/man1/trendforge.1.gz"
install -m 0644 packaging/copyright "$root/usr/share/doc/trendforge/copyright"
{
  printf 'trendforge (%s) unstable; urgency=medium\n\n  * Release %s.\n\n' "$version" "$version"
  printf ' -- TrendForge developers <dev@trendforge.invalid>  %s\n' "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$root/usr/share/doc/trendforge/changelog.gz"
# normal permissions whatever the umask of the build: dirs 0755, files 0644, executables 0755
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod go-w,a+r {} +
# shared libraries are loaded, not run: no execute bit (the bundle's executable keeps its own)
find "$root/opt/trendforge/_internal" -type f -name '*.so*' -exec chmod 0644 {} +

# --- Depends: libraries the bundle needs and does not carry
elfs=()
while IFS= read -r -d '' f; do elfs+=("$f"); done < <("$VENV/bin/python" scripts/list_elf.py "$root/opt/trendforge")
carried=$(find "$root/opt/trendforge" -name '*.so*' -printf '%f\n' | sort -u)
needed=$(for f in "${elfs[@]}"; do objdump -p "$f" 2>/dev/null | awk '/^ *NEEDED/{print $2}'; done | sort -u)
external=$(comm -23 <(echo "$needed") <(echo "$carried"))
external_elfs=()
for f in "${elfs[@]}"; do
  if objdump -p "$f" 2>/dev/null | awk '/^ *NEEDED/{print $2}' | grep -qxF -f <(echo "$external"); then external_elfs+=("-e$f"); fi
done
mkdir -p "$work/shlibs/debian"
printf 'Source: trendforge\n\nPackage: trendforge\nArchitecture: any\n' > "$work/shlibs/debian/control"
all=$(cd "$work/shlibs" && dpkg-shlibdeps -O --ignore-missing-info "-l$root/opt/trendforge/_internal" "${external_elfs[@]}" 2>/dev/null \
      | sed -n 's/^shlibs:Depends=//p' | tr ',' '\n' | sed 's/^ *//')
packages=$(for soname in $external; do
  path=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64|64bit/ {print $NF; exit}')
  [ -n "$path" ] || { echo "build_deb: no system library provides $soname" >&2; exit 1; }
  dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "/usr$path"
done | cut -d: -f1 | sort -u)
depends=$(for p in $packages; do echo "$all" | grep -E "^$p( |$)" || echo "$p"; done | sort -u | paste -sd, | sed 's/,/, /g')
# Qt's bundled fontconfig reads the system's configuration and needs at least one font
depends="$depends, fontconfig-config, fonts-dejavu-core | fonts-liberation2 | fonts-noto-core"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: trendforge
Version: $version
Architecture: $arch
Maintainer: TrendForge developers <dev@trendforge.invalid>
Installed-Size: $installed_size
Depends: $depends
Recommends: gnome-keyring, dbus-user-session
Suggests: aapt, zipalign, apksigner, android-framework-res, libsmali-java, openjdk-17-jdk-headless, adb
Section: devel
Priority: optional
Description: desktop control center for indie Android app makers
 TrendForge turns internet trends into template-based Android apps and
 sells them: trends, templates, signed APK/AAB builds with the Android
 tools, one payments ledger, and durable workflows, in one window and a
 headless command line.
 .
 Secrets are kept in the desktop keyring (Secret Service, e.g. GNOME
 Keyring). Building apps needs the Android tools and a JDK, suggested here.
CONTROL
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb="$out/trendforge_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "deb: $deb  $(du -m "$deb" | cut -f1) MB, installed ${installed_size} kB"
echo "Depends: $depends"
