#!/usr/bin/env bash
# On demand, not in CI (it downloads a base system): install the .deb with apt on a freshly debootstrapped minimal
# Debian and drive the frozen app there as a new user would.
# Usage (as root): scripts/bare_machine_check.sh [DEB]    (default: the newest dist/trendforge_*.deb; `make installer`)
# Prints what apt added, then: version, health, a sample import, the window offscreen for a few seconds, and a key
# created in a private, unlocked keyring session and used for a signed APK build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bare_machine_check: run as root (debootstrap and chroot)" >&2; exit 1; }
deb=${1:-$(ls -t dist/trendforge_*.deb 2>/dev/null | head -n 1)}
[ -f "$deb" ] || { echo "bare_machine_check: no .deb; run 'make installer' first or pass its path" >&2; exit 1; }
suite=${SUITE:-bookworm}
mirror=${MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

root=$(mktemp -d)
cleanup() {
  for m in dev/pts dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "debootstrap --variant=minbase $suite"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >/dev/null
mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
installed_kb() { in_root sh -c "dpkg-query -W -f='\${Installed-Size}\n' | awk '{s+=\$1} END {print s}'"; }
before=$(installed_kb)

step "apt install --no-install-recommends ./$(basename "$deb")   (Depends only)"
in_root apt-get update -qq
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb") >/dev/null"
after_deb=$(installed_kb)
echo "apt added $(( (after_deb - before) / 1024 )) MB, of which the package itself $(in_root dpkg-query -W -f='${Installed-Size}' trendforge | awk '{print int($1/1024)}') MB"

step "trendforge --version / health, before the keyring is installed"
in_root trendforge --version
in_root trendforge --data-dir /root/tf health || true

step "apt install the Recommends (the keyring)"
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnome-keyring dbus-user-session >/dev/null"
after_keyring=$(installed_kb)
echo "the keyring added $(( (after_keyring - after_deb) / 1024 )) MB"
after_deb=$after_keyring

step "trendforge health"
in_root trendforge --data-dir /root/tf health || true

step "templates import of a bundled sample"
in_root trendforge --data-dir /root/tf templates import /opt/trendforge/_internal/resources/samples/quotes-daily
in_root trendforge --data-dir /root/tf templates list

step "the window, offscreen, for 3 seconds"
in_root sh -c 'QT_QPA_PLATFORM=offscreen trendforge --data-dir /root/tf --quit-after 3 && echo "window opened and closed cleanly"'

step "apt install the suggested Android tools and JDK"
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends aapt zipalign apksigner android-framework-res libsmali-java openjdk-17-jdk-headless dbus >/dev/null"
after_tools=$(installed_kb)
echo "the Android tools and JDK added $(( (after_tools - after_deb) / 1024 )) MB"

step "keys create + a signed APK build, in a private unlocked keyring session"
in_root dbus-run-session -- sh -c '
  printf %s bare-check | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  trendforge --data-dir /root/tf keys create upload &&
  trendforge --data-dir /root/tf build quotes-daily --version 1.0.0 --platform apk --key upload --deploy folder:/root/out &&
  apksigner verify /root/out/*.apk && echo "signed APK verified: $(ls /root/out)"'

step "apt remove leaves no file of the package"
in_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq trendforge >/dev/null"
left=$(in_root sh -c 'ls -d /opt/trendforge /usr/bin/trendforge /usr/share/applications/trendforge.desktop 2>/dev/null || true')
[ -z "$left" ] && echo "nothing left behind; data dir kept: $(in_root ls -d /root/tf)" || { echo "left behind: $left"; exit 1; }
