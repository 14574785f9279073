"""A Play build without --notes-file takes the release notes the template package declares, per locale, and
notes over Play's 500 characters are refused before Play is asked anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.play_standin import PlayStandIn

ROOT = Path(__file__).resolve().parents[3]
QUOTES = ROOT / "resources" / "samples" / "quotes-daily"
APP = "com.indie.quotes"


def _package(cli: Any, tmp_path: Path, notes: dict[str, str], changelogs: dict[str, str] | None = None) -> Path:
    """The quotes sample as a maker's own app, with a de-DE listing beside en-US and these notes."""
    pkg = tmp_path / "pkgs" / "quotes"
    shutil.copytree(QUOTES, pkg, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    manifest = json.loads((pkg / "template.json").read_text())
    manifest.update(id="quotes", application_id=APP)
    locales = manifest["listing"]["locales"]
    locales["de-DE"] = {**locales["en-US"], "title": "Zitate Täglich"}
    for locale, text in locales.items():
        text.pop("release_notes", None)
        if locale in notes:
            text["release_notes"] = notes[locale]
    (pkg / "template.json").write_text(json.dumps(manifest))
    for locale, text in (changelogs or {}).items():
        path = pkg / "listing" / locale / "changelogs" / "default.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    res = cli("templates", "import", str(pkg))
    assert res.returncode == 0, res.stderr
    return pkg


def _key(cli: Any, play: PlayStandIn) -> dict[str, str]:
    account = play.add_account()
    play.add_app(APP, grant=account)
    assert cli("credentials", "set", "play", input=play.key_json(account)).returncode == 0
    assert cli("keys", "create", "upload", "--dname", "CN=Notes Test, C=US").returncode == 0
    return {"TRENDFORGE_PLAY_BASE_URL": play.url}


@pytest.mark.slow
def test_a_play_build_without_a_notes_file_sends_the_packages_notes_per_locale(cli: Any, play: PlayStandIn,
                                                                              tmp_path: Path) -> None:
    _package(cli, tmp_path, {"en-US": "A quote a day."}, changelogs={"de-DE": "Ein Zitat am Tag.\n"})
    env = _key(cli, play)
    res = cli("build", "quotes", "--version", "1.0.0", "--platform", "aab", "--deploy", "play:internal", env=env)
    assert res.returncode == 0, res.stderr
    listed = json.loads(cli("releases", "list", APP, "--json", env=env).stdout)
    assert [(t["track"], [r["notes"] for r in t["releases"]]) for t in listed if t["releases"]] == [
        ("internal", [{"de-DE": "Ein Zitat am Tag.", "en-US": "A quote a day."}])]


def test_package_notes_over_500_characters_are_refused_before_any_call(cli: Any, play: PlayStandIn,
                                                                       tmp_path: Path) -> None:
    _package(cli, tmp_path, {"en-US": "A quote a day."}, changelogs={"de-DE": "x" * 501})
    env = _key(cli, play)
    res = cli("build", "quotes", "--version", "1.0.0", "--platform", "aab", "--deploy", "play:internal", env=env)
    assert res.returncode == 1
    assert res.stderr == ("trendforge: release notes for de-DE are 501 characters; Play allows 500 "
                          "(listing/de-DE/changelogs/default.txt in the template package); shorten them or give "
                          "other notes\n")
    assert play.calls == []  # Play was asked nothing, not even for a token

