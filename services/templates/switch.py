"""Publishing or removing a package folder so that the database decides which folder is live.

A replace is: move the old folder aside (``.trash``), rename the staged one into place, commit.
A process killed between the renames and the commit used to leave the store on v2 while the
database said v1, and the debris for ever. Now each switch first writes a journal beside its
staging folder naming the event the commit will store; at start-up :func:`recover` finishes or
undoes every switch whose owner is dead: the event in the database means the commit happened
(drop the old folder), no event means it did not (put the old folder back). Staging and trash
folders that no live switch owns are removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.processes import owner_alive, owner_token

log = logging.getLogger(__name__)

JOURNAL = "switch.json"
OWNER = "owner"
FAULT_ENV = "TRENDFORGE_FAULT"  # tests: "templates.replace.before_commit" stops the process at that point


def fault_point(name: str) -> None:
    """Tests kill a real process here (SIGKILL to itself) to prove recovery; a no-op otherwise."""
    if os.environ.get(FAULT_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def new_work_dir(staging_root: Path) -> Path:
    """``.staging/<owner>-<uuid>/`` owned by this process, with an empty ``pkg/`` to unpack into.

    The owner (``PID-START``) is in the folder's name, so it exists from the mkdir on: another process's
    :func:`recover` never finds this folder ownerless and takes it for a dead import's debris (it did, between
    the mkdir and the owner file's write, when two CLIs imported at once). The owner file stays for old readers.
    """
    token = owner_token()
    root = staging_root / f"{token.replace(':', '-')}-{uuid.uuid4().hex}"
    _with_work_root(staging_root, root.mkdir)
    (root / OWNER).write_text(token)
    (root / "pkg").mkdir()
    return root / "pkg"


def _with_work_root(work_root: Path, step: Callable[[], object]) -> None:
    """``step`` inside ``.staging`` or ``.trash``, which another process removes when it finds it empty: made again."""
    for attempt in range(10):
        work_root.mkdir(parents=True, exist_ok=True)
        try:
            step()
            return
        except FileNotFoundError:
            if work_root.is_dir() or attempt == 9:  # not the root that vanished: a real error
                raise


def _owner_of(work: Path) -> str:
    """The owner token of a work folder: its owner file, else its name (``PID-START-uuid``)."""
    recorded = _read(work / OWNER)
    if recorded:
        return recorded
    pid, _, rest = work.name.partition("-")
    start, _, _ = rest.partition("-")
    return f"{pid}:{start}" if pid.isdigit() and start.isdigit() else ""


@dataclass(frozen=True)
class Switch:
    """One journalled folder switch: ``staged`` (or None to remove) becomes ``final``."""

    work: Path  # the .staging/<uuid> folder of this operation
    final: Path
    trash: Path
    event_id: str
    staged: Path | None

    def begin(self) -> None:
        """Journal, then move the old folder aside and publish the staged one (the commit comes next)."""
        journal = {"final": self.final.name, "trash": self.trash.name, "event_id": self.event_id,
                   "staged": self.staged is not None}
        path = self.work / JOURNAL
        with path.open("w", encoding="utf-8") as fh:
            json.dump(journal, fh)
            fh.flush()
            os.fsync(fh.fileno())
        if self.final.exists():
            _with_work_root(self.trash.parent, lambda: self.final.rename(self.trash))
        if self.staged is not None:
            self.staged.rename(self.final)

    def around(self, commit: Callable[[], object]) -> None:
        """``begin``, then ``commit``; ``finish`` when it went through, ``undo`` (and re-raise) when it did not."""
        self.begin()
        try:
            commit()
        except Exception:
            self.undo()
            raise
        self.finish()

    def undo(self) -> None:
        """The commit failed: the old folder is live again."""
        _roll_back(self.final, self.trash, staged_moved=self.staged is not None and not self.staged.exists())
        (self.work / JOURNAL).unlink(missing_ok=True)

    def finish(self) -> None:
        """The commit happened: drop the old folder."""
        shutil.rmtree(self.trash, ignore_errors=True)
        (self.work / JOURNAL).unlink(missing_ok=True)


def _roll_back(final: Path, trash: Path, *, staged_moved: bool) -> None:
    if staged_moved and final.exists():
        shutil.rmtree(final, ignore_errors=True)
    if trash.exists() and not final.exists():
        trash.rename(final)


def recover(store_dir: Path, committed: Callable[[str], bool]) -> list[str]:
    """Finish or undo the switches of dead processes and clean their debris; returns what was done."""
    staging_root, trash_root = store_dir / ".staging", store_dir / ".trash"
    done: list[str] = []
    live_trash: set[str] = set()
    for work in sorted(staging_root.iterdir()) if staging_root.is_dir() else []:
        journal_path = work / JOURNAL
        owner = _owner_of(work)
        pid_text, _, start = owner.partition(":")
        if owner and owner_alive(int(pid_text) if pid_text.isdigit() else None, start):
            if journal_path.is_file():
                live_trash.add(str(json.loads(journal_path.read_text())["trash"]))
            continue  # another process is importing right now
        if journal_path.is_file():
            try:
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
                final, trash = store_dir / journal["final"], trash_root / journal["trash"]
                if committed(str(journal["event_id"])):
                    shutil.rmtree(trash, ignore_errors=True)
                    done.append(f"kept the new {final.name} (its import was committed)")
                else:
                    _roll_back(final, trash, staged_moved=bool(journal["staged"]) and not (work / "pkg").exists())
                    done.append(f"restored {final.name} (its import was not committed)")
            except (OSError, ValueError, KeyError) as exc:
                log.warning("could not recover %s: %s", work, exc)
                continue  # keep the journal and the folders for a person to look at
        shutil.rmtree(work, ignore_errors=True)
    for trash in sorted(trash_root.iterdir()) if trash_root.is_dir() else []:
        if trash.name not in live_trash:
            shutil.rmtree(trash, ignore_errors=True)
            done.append(f"removed leftover {trash.name}")
    for folder in (staging_root, trash_root):
        with contextlib.suppress(OSError):
            folder.rmdir()
    return done


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
