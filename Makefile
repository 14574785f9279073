# TrendForge: `make run` starts the app, `make test` runs every check.
# Both install what they need first, idempotently (apt packages, .venv, pinned pip packages).

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed
APT_PACKAGES := aapt zipalign apksigner android-framework-res libsmali-java dexdump openjdk-17-jdk-headless \
	gnome-keyring dbus-daemon libgl1 libegl1 libfontconfig1 fontconfig-config fonts-dejavu-core \
	libxkbcommon0 libdbus-1-3 libglib2.0-0 xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 \
	binutils imagemagick lintian patchelf postgresql

.PHONY: run test test-fast deps apt venv lint typecheck contracts pytest bench installer screenshots clean

run: deps
	$(VENV)/bin/trendforge

test: deps
	bash scripts/check.sh

# every check, and every test but those marked slow (see tests/conftest.py: what a test drives decides it),
# on two pytest-xdist workers that take over each other's queued tests at the end (each test keeps its own tmp
# dir, free ports and keyring items); `make test` runs every test, in one process
test-fast: deps
	bash scripts/check.sh -m "not slow" -q -n 2 --dist worksteal

deps: apt venv

apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .

typecheck: venv
	$(VENV)/bin/mypy

contracts: venv
	$(VENV)/bin/lint-imports

bench: deps
	bash scripts/bench.sh

installer: deps
	bash scripts/build_installer.sh

screenshots: deps
	bash scripts/screenshots.sh

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache
