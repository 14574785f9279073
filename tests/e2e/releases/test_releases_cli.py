"""The Google Play commands as a user runs them: the key from a file on stdin, a full release with a staged
rollout, notes and a listing, then rollout steps, halt/resume, promote, and the refusals, one line each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.play_listing import write_listing
from tests.support.play_standin import Account, PlayStandIn

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"
APP = "com.indie.playapp"  # com.example.* is refused for Play by the release check


def _env(play: PlayStandIn) -> dict[str, str]:
    return {"TRENDFORGE_PLAY_BASE_URL": play.url}


def _store_key(cli: Any, play: PlayStandIn, tmp_path: Path) -> Account:
    account = play.add_account()
    play.add_app(APP, grant=account)
    key_file = tmp_path / "key.json"
    key_file.write_text(play.key_json(account))
    res = cli("credentials", "set", "play", input=key_file.read_text(), env=_env(play))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"stored the Google Play key of {account.email} in the keyring"
    return account


def _template(cli: Any, tmp_path: Path) -> None:
    pkg = tmp_path / "pkgs" / "play-app"
    shutil.copytree(SAMPLES / "trivia-quiz" / "web", pkg / "web")  # the runtime hosts the sample's web UI
    shutil.copyfile(SAMPLES / "trivia-quiz" / "icon.png", pkg / "icon.png")
    manifest = {"schema_version": 1, "id": "play-app", "title": "Play App", "category": "games",
                "description": "published from the CLI test", "tags": ["test"], "version": "1.0.0",
                "app_name": "Play App", "application_id": APP, "min_sdk": 23, "target_sdk": 36,
                "price": {"amount": 0, "currency": "USD"}, "branding": {"icon": "icon.png"},
                "content": {"questions": [{"q": "2+2?", "choices": ["3", "4"], "answer": 1}]}}
    (pkg / "template.json").write_text(json.dumps(manifest))
    res = cli("templates", "import", str(pkg))
    assert res.returncode == 0, res.stderr


@pytest.mark.slow
def test_a_full_release_from_the_command_line(cli: Any, play: PlayStandIn, tmp_path: Path) -> None:
    _store_key(cli, play, tmp_path)
    _template(cli, tmp_path)
    assert cli("keys", "create", "upload", "--dname", "CN=Play Test, C=US").returncode == 0
    play.seed(APP, "production", {"versionCodes": ["10004"], "status": "completed"})
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps({"en-US": "Streaks!", "de-DE": "Serien!"}))
    res = cli("build", "play-app", "--version", "1.0.0", "--platform", "aab", "--deploy", "play:production",
              "--rollout", "0.1", "--notes-file", str(notes), env=_env(play))
    assert res.returncode == 0, res.stderr
    assert "versionCode 10005" in res.stderr  # above what Play has, chosen before building
    assert "deploy play:production:inProgress: ok play:production (inProgress at 10%)" in res.stdout
    res = cli("releases", "listing", "push", "play-app", "--listing", str(write_listing(tmp_path / "listing", {"en-US": "Play App"}, screenshots=2, feature_graphic=False)),
              env=_env(play))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"listing of {APP} for en-US with 3 images"
    listed = json.loads(cli("releases", "list", APP, "--json", env=_env(play)).stdout)
    assert listed == [{"track": name, "releases": []} for name in ("alpha", "beta", "internal")] + [
        {"track": "production", "releases": [
        {"version_codes": [10004], "status": "completed", "user_fraction": None, "notes": {}, "name": ""},
        {"version_codes": [10005], "status": "inProgress", "user_fraction": 0.1,
         "notes": {"de-DE": "Serien!", "en-US": "Streaks!"}, "name": ""}]}]


def test_rollout_steps_halt_resume_complete_and_promote(cli: Any, play: PlayStandIn, tmp_path: Path) -> None:
    _store_key(cli, play, tmp_path)
    play.seed(APP, "production", {"versionCodes": ["10"], "status": "completed"},
              {"versionCodes": ["11"], "status": "inProgress", "userFraction": 0.1})
    play.seed(APP, "internal", {"versionCodes": ["12"], "status": "completed"})
    env = _env(play)
    steps = [
        (("rollout", APP, "--track", "production", "--fraction", "0.5"), "production: 11 inProgress 10% -> 11 inProgress 50%"),
        (("halt", APP, "--track", "production"), "production: 11 inProgress 50% -> 11 halted 50%"),
        (("resume", APP, "--track", "production"), "production: 11 halted 50% -> 11 inProgress 50%"),
        (("complete", APP, "--track", "production"),
         "production: 11 inProgress 50% -> 11 completed\nproduction: remove 10 completed"),
        (("promote", APP, "--from", "internal", "--to", "beta"), "beta: add 12 completed"),
    ]
    for args, expected in steps:
        res = cli("releases", *args, env=env)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == expected
    table = cli("releases", "list", APP, env=env).stdout.splitlines()
    assert table[0].split() == ["TRACK", "VERSION_CODES", "STATUS", "FRACTION", "NOTES"]
    assert [line.split()[:3] for line in table[1:]] == [["alpha", "-", "(no"], ["beta", "12", "completed"],
                                                        ["internal", "12", "completed"], ["production", "11", "completed"]]
    events = json.loads(cli("events", "list", "--type", "release.*", "--json").stdout)
    assert sorted(e["type"] for e in events) == ["release.completed", "release.halted", "release.promoted",
                                                 "release.resumed", "release.rolled_out"]


def test_refusals_are_one_line(cli: Any, play: PlayStandIn, tmp_path: Path) -> None:
    res = cli("credentials", "set", "play", input="ya29.a-pasted-access-token", env=_env(play))
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "not JSON" in res.stderr
    account = _store_key(cli, play, tmp_path)
    res = cli("releases", "halt", APP, "--track", "production", env=_env(play))
    assert res.returncode == 1 and res.stderr.strip() == (
        "trendforge: nothing to halt on the production track: it has no inProgress release (it has: no releases)")
    res = cli("releases", "rollout", APP, "--track", "production", "--fraction", "1.5", env=_env(play))
    assert res.returncode == 1 and "outside (0, 1)" in res.stderr
    account.revoked = True
    res = cli("releases", "list", APP, env=_env(play))
    assert res.returncode == 1 and res.stderr.count("\n") == 1
    assert account.email in res.stderr and "revoked" in res.stderr and "PRIVATE" not in res.stderr


def test_listing_push_takes_the_listing_the_package_declares(cli: Any, play: PlayStandIn, tmp_path: Path) -> None:
    """A sample's listing (texts in template.json, screenshots and feature graphic beside it) goes to Play as is."""
    account = play.add_account()
    app = play.add_app("com.indie.quotes", grant=account)
    key_file = tmp_path / "key.json"
    key_file.write_text(play.key_json(account))
    assert cli("credentials", "set", "play", input=key_file.read_text(), env=_env(play)).returncode == 0
    pkg = tmp_path / "pkgs" / "quotes"
    shutil.copytree(SAMPLES / "quotes-daily", pkg, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    manifest = json.loads((pkg / "template.json").read_text())
    manifest.update(id="quotes", application_id="com.indie.quotes")
    (pkg / "template.json").write_text(json.dumps(manifest))
    assert cli("templates", "import", str(pkg)).returncode == 0
    res = cli("releases", "listing", "push", "quotes", env=_env(play))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "listing of com.indie.quotes for en-US with 3 images"
    assert app.listings["en-US"]["title"] == "Quotes Daily"
    assert app.listings["en-US"]["shortDescription"] == manifest["listing"]["locales"]["en-US"]["short_description"]


def test_a_closed_testing_track_by_name_and_an_unknown_one_refused(cli: Any, play: PlayStandIn,
                                                                   tmp_path: Path) -> None:
    _store_key(cli, play, tmp_path)
    play.add_track(APP, "qa-team")
    play.seed(APP, "internal", {"versionCodes": ["12"], "status": "completed"})
    res = cli("releases", "promote", APP, "--from", "internal", "--to", "qa-team", env=_env(play))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "qa-team: add 12 completed"
    res = cli("releases", "halt", APP, "--track", "qa-teem", env=_env(play))
    assert res.returncode == 1
    assert res.stderr == (f"trendforge: Google Play has no track 'qa-teem' for {APP}; its tracks are: "
                          "alpha, beta, internal, production, qa-team\n")
