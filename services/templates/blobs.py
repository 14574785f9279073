"""Template packages as content-addressed blobs in a shared store (team mode).

The import packs the staged package into a zip with fixed timestamps (the same files give the
same bytes, so the same sha256), capped like an import; another machine unpacks it into its own
data dir when it first needs the package, through the import's own checked extraction.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.templates.rules import ImportLimits
from services.db.backend import dialect_insert
from services.templates import package as pkg
from services.templates.models import TemplateBlobRow

_EPOCH = (1980, 1, 1, 0, 0, 0)


def pack(folder: Path, limits: ImportLimits) -> bytes:
    """The package in ``folder`` as a deterministic zip (sorted entries, fixed times), within ``limits``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    data = out.getvalue()
    if len(data) > limits.max_total_bytes:
        raise UserError(f"the package is too large to share ({len(data)} bytes, over {limits.max_total_bytes})")
    return data


def store(session: Session, data: bytes, now: datetime) -> str:
    """Keep ``data`` under its sha256 (once, whoever stores it first); returns the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    stmt = dialect_insert(session, TemplateBlobRow).values(sha256=sha, size=len(data), data=data, created_at=now)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))
    return sha


def unpack(session: Session, sha: str, staging: Path, limits: ImportLimits) -> None:
    """Extract the blob ``sha`` into the empty folder ``staging`` (checked as an import is)."""
    data = session.scalar(select(TemplateBlobRow.data).where(TemplateBlobRow.sha256 == sha))
    if data is None:
        raise UserError(f"the shared store has no package {sha[:12]}: re-import the template on the machine that has it")
    if hashlib.sha256(data).hexdigest() != sha:
        raise UserError(f"the shared package {sha[:12]} is damaged: re-import the template")
    with tempfile.TemporaryDirectory(prefix="tf-blob-") as tmp:
        archive = Path(tmp) / "package.zip"
        archive.write_bytes(data)
        pkg.unpack_zip(archive, staging, limits)
