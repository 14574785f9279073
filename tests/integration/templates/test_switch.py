"""Start-up recovery of folder switches: dead owners are finished or undone, live ones left alone."""

from __future__ import annotations

import json
from pathlib import Path

from services.templates.switch import JOURNAL, OWNER, Switch, _with_work_root, new_work_dir, recover


def _switch(store: Path, event_id: str) -> Switch:
    (store / "t1").mkdir(parents=True)
    (store / "t1" / "v").write_text("old")
    staged = new_work_dir(store / ".staging")
    (staged / "v").write_text("new")
    sw = Switch(work=staged.parent, final=store / "t1", trash=store / ".trash" / "x1", event_id=event_id, staged=staged)
    sw.begin()
    return sw


def test_a_live_owners_switch_is_left_alone(tmp_path: Path) -> None:
    sw = _switch(tmp_path, "e1")
    assert recover(tmp_path, lambda _id: False) == []
    assert (tmp_path / "t1" / "v").read_text() == "new" and (tmp_path / ".trash" / "x1").is_dir()
    assert (sw.work / JOURNAL).is_file()


def test_a_dead_owners_uncommitted_switch_is_undone(tmp_path: Path) -> None:
    sw = _switch(tmp_path, "e1")
    (sw.work / OWNER).write_text("999999999:1")  # no such process
    assert recover(tmp_path, lambda _id: False) == ["restored t1 (its import was not committed)"]
    assert (tmp_path / "t1" / "v").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t1"]


def test_a_dead_owners_committed_switch_is_finished(tmp_path: Path) -> None:
    sw = _switch(tmp_path, "e1")
    (sw.work / OWNER).write_text("999999999:1")
    assert recover(tmp_path, lambda event_id: event_id == "e1") == ["kept the new t1 (its import was committed)"]
    assert (tmp_path / "t1" / "v").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t1"]


def test_orphaned_trash_and_staging_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".trash" / "old").mkdir(parents=True)
    work = new_work_dir(tmp_path / ".staging").parent
    (work / OWNER).write_text("999999999:1")
    assert json.dumps(recover(tmp_path, lambda _id: False)) == '["removed leftover old"]'
    assert list(tmp_path.iterdir()) == []


def test_a_live_import_not_yet_holding_its_owner_file_is_left_alone(tmp_path: Path) -> None:
    # the moment between another process's mkdir and its owner file's write: the folder's name names its owner
    work = new_work_dir(tmp_path / ".staging").parent
    (work / OWNER).unlink()
    assert recover(tmp_path, lambda _id: False) == []
    assert (work / "pkg").is_dir()


def test_a_dead_imports_folder_without_an_owner_file_is_removed(tmp_path: Path) -> None:
    work = tmp_path / ".staging" / f"999999999-1-{'0' * 32}"
    (work / "pkg").mkdir(parents=True)
    recover(tmp_path, lambda _id: False)
    assert list(tmp_path.iterdir()) == []


def test_a_work_root_another_process_removed_meanwhile_is_made_again(tmp_path: Path) -> None:
    staging_root = tmp_path / ".staging"
    calls: list[int] = []

    def step() -> None:  # the other process's tidy-up runs between our mkdir of the root and our use of it
        calls.append(1)
        if len(calls) == 1:
            staging_root.rmdir()
        (staging_root / "mine").mkdir()

    _with_work_root(staging_root, step)
    assert (staging_root / "mine").is_dir() and len(calls) == 2
