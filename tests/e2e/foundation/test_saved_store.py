"""The CLI as a new user runs it after choosing a shared store in Settings: the saved URL opens without any flag
or env var, doctor names it and what chose it, and --database still wins over it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from services.config import saved_file
from services.db.store_choice import write_saved

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def _database(cli: CliRunner, *args: str) -> dict[str, object]:
    r = cli("--json", *args, "doctor", env={"TRENDFORGE_DATABASE_URL": ""})
    assert r.returncode == 0, r.stderr
    return next(c for c in json.loads(r.stdout) if c["name"] == "database")


def test_doctor_names_the_store_saved_in_settings(cli: CliRunner, data_dir: Path, pg_database: str) -> None:
    write_saved(data_dir, pg_database)
    check = _database(cli)
    assert check["ok"] and check["detail"] == f"{pg_database} (chosen by Settings)"
    assert not (data_dir / "trendforge.sqlite3").exists()  # the local file was not opened


def test_the_command_line_wins_over_the_saved_store(cli: CliRunner, data_dir: Path, pg_database: str) -> None:
    write_saved(data_dir, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    check = _database(cli, "--database", pg_database)
    assert check["detail"] == f"{pg_database} (chosen by --database)"


def test_a_password_written_into_the_saved_url_by_hand_is_one_line(cli: CliRunner, data_dir: Path,
                                                                   pg_database: str) -> None:
    user, rest = pg_database.split("@", 1)
    saved_file(data_dir).write_text(json.dumps({"database_url": f"{user}:hunter22secret@{rest}"}))
    r = cli("templates", "list", env={"TRENDFORGE_DATABASE_URL": ""})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "put the password in ~/.pgpass" in lines[0] and "hunter22secret" not in r.stderr
