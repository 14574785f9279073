"""TemplatesService: the store of template packages, their search index, reviews and stats."""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import app.templates.events as ev
from app.errors import ConflictError, NotFoundError, StaleEditError, UserError
from app.health import Health
from app.remedies import ChooseOnDuplicate, ListTemplates, RestoreTemplate
from app.store.derive import derived_manifest
from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK
from app.templates.model import (
    DuplicatePolicy,
    ImportResult,
    Review,
    SortKey,
    TemplateInfo,
    TemplateQuery,
    TemplateStats,
    TemplateStatus,
    TemplateSummary,
)
from app.templates.rules import (
    DEFAULT_LIMITS,
    MANIFEST_NAME,
    ImportLimits,
    PackageError,
    check_rating,
    check_slug,
    is_python_scaffolding,
    keep_both_application_id,
    keep_both_id,
    trending_score,
)
from app.timeutil import parse_iso
from services.base import BaseService, operation
from services.context import ServiceContext
from services.db import cancel
from services.db.backend import Backend, backend_of
from services.db.base import JSONText, UTCDateTime
from services.db.preflight import disk_full, is_disk_full
from services.ports import StatsSource, TemplateFigures
from services.template_manifest import read_manifest
from services.templates import blobs, search_sql
from services.templates import package as pkg
from services.templates.health import store_dir, store_health
from services.templates.models import CategoryCountRow, ReviewRow, TemplateRow
from services.templates.switch import Switch, fault_point, new_work_dir, recover

log = logging.getLogger(__name__)
# imported by the methods that create a template or set its store listing, not with the service; the GUI imports
# them on a worker once its first panel is filled (Services.import_deferred)
LATER_IMPORTS = ("app.store.listing", "services.templates.blank")

T = TypeVar("T")
_MISSING = object()

SOURCE = "templates"
EDITABLE_FIELDS = frozenset(
    {"title", "category", "description", "tags", "version", "app_name", "application_id",
     "min_sdk", "target_sdk", "price", "content", *pkg.PACKAGE_ONLY_FIELDS}
)
_SUMMARY_COLUMNS = (
    "t.id, t.title, t.category, t.tags, t.status, t.version, t.price_amount, t.price_currency, "
    "t.rating_sum, t.rating_count, t.updated_at"
)
# Searches matching more index entries than this are listed newest first instead of ranked:
# bm25 costs ~2-4 µs per match and tells little apart among a 2-letter prefix's 30,000 hits.
RANK_MAX_MATCHES = 2_500


def _info(row: TemplateRow) -> TemplateInfo:
    return TemplateInfo(
        id=row.id,
        title=row.title,
        category=row.category,
        description=row.description,
        tags=tuple(row.tags or ()),
        version=row.version,
        app_name=row.app_name,
        application_id=row.application_id,
        min_sdk=row.min_sdk,
        target_sdk=row.target_sdk,
        price_amount=row.price_amount,
        price_currency=row.price_currency,
        content=dict(row.content or {}),
        status=TemplateStatus(row.status),
        preview=row.preview,
        schema_version=row.schema_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        rating_avg=(row.rating_sum / row.rating_count) if row.rating_count else None,
        rating_count=row.rating_count,
        has_package=row.has_package,
        row_version=row.row_version,
        changed_by=row.changed_by,
    )


def _apply_manifest(row: TemplateRow, manifest: dict[str, Any]) -> None:
    row.title = manifest["title"]
    row.category = manifest["category"]
    row.description = manifest.get("description", "")
    row.tags = list(manifest.get("tags", []))
    row.version = manifest["version"]
    row.app_name = manifest["app_name"]
    row.application_id = manifest["application_id"]
    row.min_sdk = int(manifest.get("min_sdk", DEFAULT_MIN_SDK))
    row.target_sdk = int(manifest.get("target_sdk", DEFAULT_TARGET_SDK))
    price = manifest.get("price") or {"amount": 0, "currency": "USD"}
    row.price_amount = int(price["amount"])
    row.price_currency = str(price["currency"])
    row.content = dict(manifest.get("content") or {})
    row.preview = manifest.get("preview")
    row.schema_version = int(manifest["schema_version"])


class TemplatesService(BaseService):
    """CRUD, import/export, FTS search, reviews and stats of templates.

    The builds area relies on :meth:`get` and :meth:`package_dir`; builds and payments add
    figures to :meth:`stats` through :meth:`register_stats_source`.
    """

    name = "templates"

    def __init__(self, ctx: ServiceContext, *, limits: ImportLimits = DEFAULT_LIMITS) -> None:
        super().__init__(ctx)
        self.limits = limits
        self._stats_sources: list[StatsSource] = []
        self._fs_lock = threading.RLock()  # one store mutation at a time (GUI + background imports)
        self._sql = search_sql.for_backend(backend_of(ctx.engine))

    # -- store layout ---------------------------------------------------------------------
    @property
    def store_dir(self) -> Path:
        return store_dir(self.ctx)

    def _staging_root(self) -> Path:
        return self.store_dir / ".staging"

    def _trash_root(self) -> Path:
        return self.store_dir / ".trash"

    @operation
    def package_dir(self, template_id: str) -> Path:
        """The stored package folder of a template (``DATA_DIR/templates/<id>``).

        On a shared store a package imported on another machine is unpacked here first (once per version).
        """
        info = self.get(template_id, include_deleted=True)
        folder = self.store_dir / info.id
        if self.ctx.config.shared_store:
            self._unpack_shared(info.id, folder)
        self.require(folder.is_dir(), f"template {template_id!r} has no package folder at {folder}; re-import it")
        return folder

    def _blob_marker(self, template_id: str) -> Path:
        """Which shared package the local folder holds (beside the store: its folders are templates only)."""
        return self.ctx.data_dir / "shared-packages" / template_id

    def _unpack_shared(self, template_id: str, folder: Path) -> None:
        """Bring the local folder to the package the shared store names (imported here, or unpacked from it)."""
        with self._fs_lock, self.ctx.new_uow() as uow:
            row = self._row(uow.session, template_id)
            sha = row.package_sha256
            marker = self._blob_marker(template_id)
            if sha is None or (folder.is_dir() and marker.is_file() and marker.read_text().strip() == sha):
                return
            staging = self._new_staging()
            try:
                blobs.unpack(uow.session, sha, staging, self.limits)
                on_disk = pkg.package_only_fields(staging)
                pkg.write_manifest(staging, _info(row).manifest() | on_disk)  # edits made since the import
                if folder.exists():
                    shutil.rmtree(folder)
                folder.parent.mkdir(parents=True, exist_ok=True)
                staging.replace(folder)
            finally:
                pkg.remove_tree(staging.parent)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(sha)
            log.info("templates store: unpacked %s from the shared store (%s)", template_id, sha[:12])

    def preview_path(self, template_id: str) -> Path | None:
        info = self.get(template_id, include_deleted=True)
        if not info.preview:
            return None
        path = self.store_dir / info.id / info.preview
        return path if path.is_file() else None

    # -- reads -------------------------------------------------------------------------------
    def _row(self, session: Session, template_id: str) -> TemplateRow:
        row = session.scalars(select(TemplateRow).where(TemplateRow.id == template_id)).first()
        if row is None:
            raise NotFoundError(f"no template {template_id!r}", remedy=ListTemplates())
        return row

    @operation
    def get(self, template_id: str, *, include_deleted: bool = False) -> TemplateInfo:
        def load() -> TemplateInfo:
            with self.ctx.new_uow() as uow:
                return _info(self._row(uow.session, template_id))

        info = self.cached(("get", template_id), load)
        if info.status is TemplateStatus.DELETED and not include_deleted:
            raise NotFoundError(f"template {template_id!r} is deleted", remedy=RestoreTemplate(template_id))
        return info

    def exists(self, template_id: str) -> bool:
        with self.ctx.new_uow() as uow:
            return uow.session.scalar(select(func.count()).where(TemplateRow.id == template_id)) == 1

    def _where(self, query: TemplateQuery, params: dict[str, Any]) -> list[str]:
        where: list[str] = []
        statuses = query.statuses or (TemplateStatus.ACTIVE,)
        names = []
        for i, status in enumerate(statuses):
            params[f"st{i}"] = status.value
            names.append(f":st{i}")
        where.append(f"t.status IN ({', '.join(names)})")
        if query.category:
            params["category"] = query.category
            where.append("t.category = :category")
        if query.tag:
            params["tag"] = query.tag
            where.append(self._sql.tag_where)
        return where

    def _from(self, query: TemplateQuery, params: dict[str, Any]) -> tuple[str, list[str], bool]:
        where = self._where(query, params)
        match = self._sql.match(query.search or "")
        if match is None:
            return "templates t", where, False
        params["match"] = match
        where.insert(0, self._sql.match_where)
        return self._sql.searched_source, where, True

    @operation
    def find(self, query: TemplateQuery | None = None) -> list[TemplateSummary]:
        """One page of templates: filtered, and ranked by relevance (FTS5 bm25, or ts_rank) when searching."""
        query = query or TemplateQuery()
        return self.cached(("list", query), lambda: self._list(query))

    @operation
    def application_ids(self, query: TemplateQuery | None = None) -> list[str]:
        """The application ids of the page of templates :meth:`find` lists for ``query``, sorted, each once:
        one read of that column, not a whole template (its content) per row."""
        ids = [summary.id for summary in self.find(query)]
        if not ids:
            return []
        with self.ctx.new_uow() as uow:
            return sorted(set(uow.session.scalars(select(TemplateRow.application_id).where(TemplateRow.id.in_(ids)))))

    def _list(self, query: TemplateQuery) -> list[TemplateSummary]:
        params: dict[str, Any] = {"limit": max(0, query.limit), "offset": max(0, query.offset)}
        source, where, searching = self._from(query, params)
        cols = _SUMMARY_COLUMNS
        if query.sort is SortKey.RELEVANCE and searching:
            broad = self._more_matches_than(params["match"], RANK_MAX_MATCHES)
            if broad:
                # Too broad to rank usefully (e.g. a 2-letter prefix): newest first, straight
                # from the FTS index order, so typing stays fast.
                order = self._sql.newest_first
            else:
                rows = self._ranked(query, params, where) if self._sql.ranks_inside_index else None
                if rows is not None:
                    return rows
                order = self._sql.relevance
        elif query.sort is SortKey.UPDATED:
            order = "t.updated_at DESC, t.id"
        elif query.sort is SortKey.RATING:
            order = "CASE WHEN t.rating_count = 0 THEN 0 ELSE 1.0 * t.rating_sum / t.rating_count END DESC, t.title"
        else:
            order = "t.title, t.id"
            if query.after is not None:
                where.append("(t.title, t.id) > (:after_title, :after_id)")
                params.update(after_title=query.after[0], after_id=query.after[1], offset=0)
        sql = f"SELECT {cols} FROM {source} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit OFFSET :offset"
        return self._summaries(sql, params, query)

    def _more_matches_than(self, match: str, cap: int) -> bool:
        """Do more than ``cap`` index entries match? Counts no further than ``cap + 1`` (no join, no
        ranking): a two-letter prefix matches a quarter of a million templates, and counting them
        all took 0.4 s per keystroke at a million."""
        with self.ctx.new_uow() as uow:
            found = uow.session.execute(text(self._sql.count_matches), {"match": match, "cap": cap + 1}).scalar_one()
        return int(found) > cap

    def _ranked(self, query: TemplateQuery, params: dict[str, Any], where: list[str]) -> list[TemplateSummary] | None:
        """bm25-rank inside the FTS table first (a bounded candidate list), then join and filter.

        Returns None when the filters dropped too many candidates to fill the page, so the
        caller runs the uncapped query instead.
        """
        need = params["offset"] + params["limit"]
        # bm25 runs on every match anyway (<= RANK_MAX_MATCHES here), so keep them all as candidates
        cap = max(RANK_MAX_MATCHES, need + 100)
        filters = [w for w in where if w != self._sql.match_where]
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM (SELECT rowid AS rid, {search_sql.BM25} AS score FROM templates_fts "
            f"WHERE templates_fts MATCH :match ORDER BY score LIMIT :cap) r "
            f"CROSS JOIN templates t ON t.seq = r.rid WHERE {' AND '.join(filters)} "
            "ORDER BY r.score, t.title LIMIT :limit OFFSET :offset"
        )
        rows = self._summaries(sql, {**params, "cap": cap}, query)
        if len(rows) < params["limit"] and self._more_matches_than(params["match"], cap):
            return None
        return rows

    def _summaries(self, sql: str, params: dict[str, Any], query: TemplateQuery) -> list[TemplateSummary]:
        stmt = text(sql).columns(updated_at=UTCDateTime(), tags=JSONText())
        try:
            with self.ctx.new_uow() as uow:
                rows = uow.session.execute(stmt, params).all()
        except OperationalError as exc:
            raise UserError(f"cannot search for {query.search!r}: {exc.orig}") from None
        return [
            TemplateSummary(
                id=r[0], title=r[1], category=r[2], tags=tuple(r[3] or ()), status=TemplateStatus(r[4]),
                version=r[5], price_amount=r[6], price_currency=r[7],
                rating_avg=(r[8] / r[9]) if r[9] else None, rating_count=r[9], updated_at=r[10],
            )
            for r in rows
        ]

    @operation
    def count(self, query: TemplateQuery | None = None) -> int:
        query = query or TemplateQuery()

        def compute() -> int:
            if self._sql.match(query.search or "") is None and not query.tag:
                return self._count_from_summary(query)
            params: dict[str, Any] = {}
            source, where, _ = self._from(query, params)
            with self.ctx.new_uow() as uow:
                return int(uow.session.execute(text(f"SELECT count(*) FROM {source} WHERE {' AND '.join(where)}"), params).scalar_one())

        key = ("count", query.search, query.category, query.tag, query.statuses)  # not sort/paging
        return self.cached(key, compute)

    def _count_from_summary(self, query: TemplateQuery) -> int:
        """A total with no search and no tag: summed from the trigger-kept category counts."""
        c = CategoryCountRow
        statuses = [st.value for st in (query.statuses or (TemplateStatus.ACTIVE,))]
        stmt = select(func.coalesce(func.sum(c.count), 0)).where(c.status.in_(statuses))
        if query.category:
            stmt = stmt.where(c.category == query.category)
        with self.ctx.new_uow() as uow:
            return int(uow.session.scalar(stmt) or 0)

    def search(self, text_: str, *, category: str | None = None, limit: int = 50) -> list[TemplateSummary]:
        return self.find(TemplateQuery(search=text_, category=category, limit=limit))

    @operation
    def categories(self, *, include_archived: bool = False) -> list[tuple[str, int]]:
        statuses = ["active", "archived"] if include_archived else ["active"]

        def compute() -> list[tuple[str, int]]:
            c = CategoryCountRow
            with self.ctx.new_uow() as uow:
                rows = uow.session.execute(
                    select(c.category, func.sum(c.count))
                    .where(c.status.in_(statuses), c.count > 0)
                    .group_by(c.category)
                    .order_by(c.category)
                ).all()
            return [(r[0], int(r[1])) for r in rows]

        return self.cached(("categories", include_archived), compute)

    @operation
    def tags(self) -> list[tuple[str, int]]:
        def compute() -> list[tuple[str, int]]:
            with self.ctx.new_uow() as uow:
                rows = uow.session.execute(text(self._sql.tag_counts)).all()
            return [(str(r[0]), int(r[1])) for r in rows]

        return self.cached("tags", compute)

    # -- writes ------------------------------------------------------------------------------
    @operation
    def create(self, manifest: dict[str, Any], *, base_id: str | None = None) -> TemplateInfo:
        """Create a template from a manifest (the panel's form) on a base package, so it can be built.

        The base is a stored template (``base_id``: its web UI, icon and content, as its own app with a
        turned icon) or, by default, the runtime's blank app. The form's fields win over the base's.
        """
        from services.templates.blank import BLANK_PACKAGE

        base_dir = self.package_dir(base_id) if base_id else BLANK_PACKAGE
        base = read_manifest(base_dir)
        if base_id:
            base = derived_manifest(base, str(manifest.get("id", "")), str(manifest.get("title", "")))
        given = {k: v for k, v in manifest.items() if v not in (None, "", {}, [])}
        merged = {**base, **given}
        manifest = pkg.validate_manifest({**merged, "schema_version": 1})
        template_id = manifest["id"]
        check_slug(template_id)
        with self._fs_lock:
            if self.exists(template_id):
                raise ConflictError(f"a template with id {template_id!r} already exists; choose another id")
            staging = self._new_staging()
            try:
                pkg.copy_package_files(base_dir, staging, skip=("listing",))
                pkg.write_manifest(staging, manifest)
                now = self.ctx.clock()
                with self.ctx.new_uow() as uow:
                    row = TemplateRow(id=template_id, status=TemplateStatus.ACTIVE.value, has_package=True,
                                      source="created", rating_sum=0, rating_count=0, created_at=now, updated_at=now)
                    _apply_manifest(row, manifest)
                    uow.session.add(row)
                    created = ev.TemplateCreated(source=SOURCE, template_id=template_id,
                                                 title=row.title, category=row.category)
                    uow.record(created)
                    self._flush(uow.session, template_id)
                    # a stray folder without a row is not a template: it goes to the trash like an old version
                    switch = Switch(work=staging.parent, final=self.store_dir / template_id,
                                    trash=self._trash_root() / uuid.uuid4().hex, event_id=created.id, staged=staging)
                    switch.around(uow.commit)
            finally:
                pkg.remove_tree(staging.parent)
                self._tidy()
                self.invalidate()
        return self.get(template_id)

    @operation
    def update(self, template_id: str, changes: dict[str, Any], *, expected_version: int | None = None) -> TemplateInfo:
        """Change manifest fields; the merged manifest must pass the schema again.

        ``expected_version``: the :attr:`TemplateInfo.row_version` the edit was made on; if someone has
        changed the template since, the edit is refused (:class:`StaleEditError`) rather than overwriting it.
        """
        unknown = set(changes) - EDITABLE_FIELDS
        self.require(not unknown, f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(sorted(EDITABLE_FIELDS))}")
        with self._fs_lock:
            current = self.get(template_id, include_deleted=True)
            folder = self.store_dir / template_id
            on_disk = current.manifest() | pkg.package_only_fields(folder)
            manifest = pkg.validate_manifest(on_disk | changes)
            changed = tuple(sorted(k for k in changes if on_disk.get(k) != manifest.get(k)))
            if not changed:
                return current
            with self.ctx.new_uow() as uow:
                row = self._row(uow.session, template_id)
                if expected_version is not None and row.row_version != expected_version:
                    raise _stale(row, expected_version)
                _apply_manifest(row, manifest)
                row.updated_at = self.ctx.clock()
                uow.record(ev.TemplateUpdated(source=SOURCE, template_id=template_id, fields=changed))
                try:
                    uow.session.flush()
                except StaleDataError:  # changed by another writer between our read and this write
                    uow.rollback()
                    raise _stale(self._row(uow.session, template_id), row.row_version) from None
                if folder.is_dir():
                    pkg.write_manifest(folder, manifest)
                try:
                    uow.commit()
                except Exception:
                    if folder.is_dir():
                        pkg.write_manifest(folder, on_disk)
                    raise
            self.invalidate()
        return self.get(template_id, include_deleted=True)

    @operation
    def set_listing_media(self, template_id: str, locale: str, screenshots: Sequence[Path],
                          feature_graphic: Path | None = None) -> TemplateInfo:
        """Put store screenshots (and the feature graphic) into the package and name them in its listing."""
        from app.store.listing import LOCALE_RE

        self.require(LOCALE_RE.match(locale), f"{locale!r} is not a locale; use e.g. en-US")
        folder = self.package_dir(template_id)
        dest = folder / "listing" / locale
        dest.mkdir(parents=True, exist_ok=True)
        names: list[str] = []
        for n, shot in enumerate(screenshots, start=1):
            shutil.copyfile(shot, dest / f"phone-{n}.png")
            names.append(f"listing/{locale}/phone-{n}.png")
        graphic = None
        if feature_graphic is not None:
            shutil.copyfile(feature_graphic, folder / "listing" / "feature-graphic.png")
            graphic = "listing/feature-graphic.png"
        manifest = self.get(template_id).manifest() | pkg.package_only_fields(folder)
        from services.store.media import listing_with_media  # the imaging library, when media are first added

        return self.update(template_id, {"listing": listing_with_media(manifest, locale, names, graphic)})

    def _set_status(self, template_id: str, allowed_from: set[TemplateStatus], to: TemplateStatus,
                    event: Callable[[str], Any], verb: str) -> TemplateInfo:
        with self.ctx.new_uow() as uow:
            row = self._row(uow.session, template_id)
            status = TemplateStatus(row.status)
            if status is to:
                raise UserError(f"template {template_id!r} is already {to.value}")
            if status not in allowed_from:
                raise UserError(f"cannot {verb} template {template_id!r}: it is {status.value}")
            now = self.ctx.clock()
            row.status = to.value
            row.updated_at = now
            if to is TemplateStatus.ARCHIVED:
                row.archived_at = now
            if to is TemplateStatus.DELETED:
                row.deleted_at = now
            uow.record(event(template_id))
            uow.commit()
        self.invalidate()
        return self.get(template_id, include_deleted=True)

    @operation
    def archive(self, template_id: str) -> TemplateInfo:
        return self._set_status(template_id, {TemplateStatus.ACTIVE}, TemplateStatus.ARCHIVED,
                                lambda i: ev.TemplateArchived(source=SOURCE, template_id=i), "archive")

    @operation
    def unarchive(self, template_id: str) -> TemplateInfo:
        return self._set_status(template_id, {TemplateStatus.ARCHIVED}, TemplateStatus.ACTIVE,
                                lambda i: ev.TemplateUnarchived(source=SOURCE, template_id=i), "unarchive")

    @operation
    def delete(self, template_id: str) -> TemplateInfo:
        """Soft delete: hidden everywhere, package kept, :meth:`restore` brings it back."""
        return self._set_status(template_id, {TemplateStatus.ACTIVE, TemplateStatus.ARCHIVED},
                                TemplateStatus.DELETED,
                                lambda i: ev.TemplateDeleted(source=SOURCE, template_id=i), "delete")

    @operation
    def restore(self, template_id: str) -> TemplateInfo:
        """Bring a deleted or archived template back to active."""
        return self._set_status(template_id, {TemplateStatus.DELETED, TemplateStatus.ARCHIVED},
                                TemplateStatus.ACTIVE,
                                lambda i: ev.TemplateRestored(source=SOURCE, template_id=i), "restore")

    @operation
    def purge(self, template_id: str) -> None:
        """Remove a soft-deleted template for good: row, reviews and package folder."""
        with self._fs_lock, self.ctx.new_uow() as uow:
            row = self._row(uow.session, template_id)
            if row.status != TemplateStatus.DELETED.value:
                raise UserError(f"delete template {template_id!r} first; only deleted templates can be purged")
            uow.session.execute(delete(ReviewRow).where(ReviewRow.template_id == template_id))
            uow.session.delete(row)
            purged = ev.TemplatePurged(source=SOURCE, template_id=template_id)
            uow.record(purged)
            uow.session.flush()
            work = self._new_staging().parent
            switch = Switch(work=work, final=self.store_dir / template_id, trash=self._trash_root() / uuid.uuid4().hex,
                            event_id=purged.id, staged=None)
            try:
                switch.around(uow.commit)
            finally:
                pkg.remove_tree(work)
        self._tidy()
        self.invalidate()

    # -- import / export ------------------------------------------------------------------------
    def _tidy(self) -> None:
        """Drop the (empty) work folders so a refused import leaves the store as it was."""
        for folder in (self._staging_root(), self._trash_root()):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def _new_staging(self) -> Path:
        return new_work_dir(self._staging_root())

    def recover_store(self) -> list[str]:
        """At start-up: finish or undo the folder switches of processes that died mid-import, drop debris."""
        with self._fs_lock:
            done = recover(self.store_dir, self._event_stored)
        for line in done:
            log.info("templates store: %s", line)
        return done

    def _event_stored(self, event_id: str) -> bool:
        with self.ctx.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM events WHERE id = :id"), {"id": event_id}).first() is not None

    @staticmethod
    def _flush(session: Session, template_id: str) -> None:
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(f"a template with id {template_id!r} already exists") from None

    @operation
    def import_path(self, path: str | Path, *, on_duplicate: DuplicatePolicy | str = DuplicatePolicy.ERROR) -> ImportResult:
        """Import one folder, ``.zip`` or ``template.json``; raises ``UserError`` on refusal.

        The package is unpacked into a staging dir inside the store, validated, and then moved
        into ``DATA_DIR/templates/<id>/`` with one rename in the same step as the DB commit.
        """
        policy = DuplicatePolicy(on_duplicate)
        source = Path(path).expanduser()
        if not source.exists():
            raise UserError(f"no such file or folder: {source}")
        if source.is_file() and source.name == MANIFEST_NAME:
            source = source.parent
        with self._fs_lock:
            staging = self._new_staging()
            try:
                if source.is_dir():
                    pkg.copy_folder(source.resolve(), staging, self.limits)
                elif source.is_file() and source.suffix.lower() == ".zip":
                    pkg.unpack_zip(source, staging, self.limits)
                else:
                    raise PackageError(
                        f"{source.name} is not a template package: give a folder, a .zip or a {MANIFEST_NAME}"
                    )
                manifest = pkg.load_staged(staging, self.limits)
                return self._install(staging, manifest, str(source), policy)
            finally:
                pkg.remove_tree(staging.parent)
                self._tidy()
                self.invalidate()

    def _install(self, staging: Path, manifest: dict[str, Any], source: str, policy: DuplicatePolicy) -> ImportResult:
        template_id = manifest["id"]
        renamed_from: str | None = None
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            session = uow.session
            existing = session.scalars(select(TemplateRow).where(TemplateRow.id == template_id)).first()
            replaced = False
            if existing is not None:
                if policy is DuplicatePolicy.ERROR:
                    raise ConflictError(f"a template with id {template_id!r} already exists ({existing.status})",
                                        remedy=ChooseOnDuplicate())
                if policy is DuplicatePolicy.KEEP_BOTH:
                    taken = set(session.scalars(select(TemplateRow.id).where(TemplateRow.id.like(f"{template_id[:50]}%"))))
                    renamed_from, template_id = template_id, keep_both_id(template_id, taken)
                    app_ids = set(session.scalars(select(TemplateRow.application_id)))
                    manifest = {**manifest, "id": template_id,
                                "application_id": keep_both_application_id(manifest["application_id"], app_ids)}
                    pkg.write_manifest(staging, manifest)
                    existing = None
            if existing is not None:
                row = existing
                replaced = True
                row.status = TemplateStatus.ACTIVE.value
                row.archived_at = None
                row.deleted_at = None
            else:
                row = TemplateRow(id=template_id, status=TemplateStatus.ACTIVE.value, rating_sum=0,
                                  rating_count=0, created_at=now)
                session.add(row)
                uow.record(ev.TemplateCreated(source=SOURCE, template_id=template_id,
                                              title=manifest["title"], category=manifest["category"]))
            _apply_manifest(row, manifest)
            row.has_package = True
            row.source = source
            row.updated_at = now
            if self.ctx.config.shared_store:  # other machines unpack it from the store (services.templates.blobs)
                row.package_sha256 = blobs.store(session, blobs.pack(staging, self.limits), now)
            imported = ev.TemplateImported(source=SOURCE, template_id=template_id, source_path=source,
                                           replaced=replaced, renamed_from=renamed_from)
            uow.record(imported)
            self._flush(session, template_id)
            # Filesystem: journal, move any old folder aside, publish the package; the commit decides
            # which of the two is live if this process dies in between (see services.templates.switch).
            switch = Switch(work=staging.parent, final=self.store_dir / template_id,
                            trash=self._trash_root() / uuid.uuid4().hex, event_id=imported.id, staged=staging)
            switch.begin()
            fault_point("templates.replace.before_commit")
            try:
                uow.commit()
            except Exception:
                switch.undo()
                raise
            fault_point("templates.replace.after_commit")
            switch.finish()
            if row.package_sha256:
                marker = self._blob_marker(template_id)
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(row.package_sha256)
        return ImportResult(source=source, template_id=template_id, replaced=replaced, renamed_from=renamed_from)

    @operation
    def import_paths(self, paths: Iterable[str | Path], *,
                     on_duplicate: DuplicatePolicy | str = DuplicatePolicy.ERROR) -> list[ImportResult]:
        """Import several packages; one result per path, a failure never stops the others.

        Python scaffolding among them (``__init__.py``, ``__pycache__``: a glob over the samples
        folder) is passed over; given nothing else, that is a ``UserError``. A folder that is no
        package itself but holds some (``resources/samples``) imports each, and says which files it
        skipped (see :meth:`_packages_in`)."""
        given = [Path(p) for p in paths]
        wanted = [p for p in given if not is_python_scaffolding(p.name)]
        if given and not wanted:
            raise UserError(f"nothing to import: {', '.join(p.name for p in given)} is Python package scaffolding, "
                            "not a template package (a folder, a .zip or a template.json)")
        results: list[ImportResult] = []
        for path in [package for given_path in wanted for package in self._packages_in(given_path, results)]:
            try:
                results.append(self.import_path(path, on_duplicate=on_duplicate))
            except ConflictError as exc:
                results.append(ImportResult(source=str(path), error=str(exc), duplicate=True, remedy=exc.remedy))
            except UserError as exc:
                results.append(ImportResult(source=str(path), error=str(exc), remedy=exc.remedy))
            except OSError as exc:
                error = (str(disk_full(self.ctx.data_dir)) if is_disk_full(exc, self.ctx.data_dir)
                         else f"cannot read {path}: {exc.strerror or exc}")
                results.append(ImportResult(source=str(path), error=error))
            except Exception as exc:  # one bad package never aborts the batch: a bug is logged and named
                if is_disk_full(exc, self.ctx.data_dir):
                    results.append(ImportResult(source=str(path), error=str(disk_full(self.ctx.data_dir))))
                    continue
                log.exception("importing %s failed unexpectedly", path)
                results.append(ImportResult(source=str(path), error=f"could not import {Path(path).name}: "
                                                                    f"{type(exc).__name__}: {exc}".splitlines()[0]))
        return results

    @staticmethod
    def _packages_in(path: Path, skipped: list[ImportResult]) -> list[Path]:
        """The packages ``path`` stands for: itself, or, for a folder with no manifest at its top that holds
        packages (folders with one, ``.zip`` files), those, each other entry noted in ``skipped``.

        One level down only: a folder of folders of packages is not searched further."""
        if not path.is_dir() or (path / MANIFEST_NAME).is_file():
            return [path]
        entries = sorted(path.iterdir())
        packages = [e for e in entries if ((e / MANIFEST_NAME).is_file() if e.is_dir() else e.suffix.lower() == ".zip")]
        if not packages:
            return [path]  # refused as a package: its error says what a package is
        for entry in entries:
            if entry in packages:
                continue
            why = ("Python package scaffolding, not a template" if is_python_scaffolding(entry.name) else
                   f"a folder without a {MANIFEST_NAME}" if entry.is_dir() else
                   f"not a template package (a folder with a {MANIFEST_NAME}, or a .zip)")
            skipped.append(ImportResult(source=str(entry), skipped=why))
        return packages

    @operation
    def export(self, template_id: str, dest: str | Path) -> Path:
        """Zip the stored package to ``dest`` (a .zip path, or a folder to put ``<id>-<version>.zip`` in)."""
        info = self.get(template_id, include_deleted=True)
        folder = self.package_dir(template_id)
        target = Path(dest).expanduser()
        if target.is_dir() or str(dest).endswith(("/", "\\")) or target.suffix.lower() != ".zip":
            target.mkdir(parents=True, exist_ok=True)
            target = target / f"{info.id}-{info.version}.zip"
        self.require(target.parent.is_dir(), f"folder {target.parent} does not exist")
        pkg.export_zip(folder, target, info.id)
        with self.ctx.new_uow() as uow:
            uow.record(ev.TemplateExported(source=SOURCE, template_id=info.id, destination=str(target)))
            uow.commit()
        return target

    # -- reviews ---------------------------------------------------------------------------------
    @operation
    def add_review(self, template_id: str, rating: int, text_: str = "", reviewer: str = "me") -> Review:
        """Add a review, or replace this reviewer's earlier one (one per reviewer per template)."""
        check_rating(rating)
        reviewer = reviewer.strip()
        self.require(reviewer, "reviewer name must not be empty")
        self.require(len(reviewer) <= 80, "reviewer name is longer than 80 characters")
        self.require(len(text_) <= 5000, "review text is longer than 5000 characters")
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            row = self._row(uow.session, template_id)
            if row.status == TemplateStatus.DELETED.value:
                raise UserError(f"template {template_id!r} is deleted; restore it before reviewing")
            review = uow.session.scalars(
                select(ReviewRow).where(ReviewRow.template_id == template_id, ReviewRow.reviewer == reviewer)
            ).first()
            replaced = review is not None
            if review is None:
                review = ReviewRow(template_id=template_id, reviewer=reviewer, rating=rating, text=text_,
                                   created_at=now, updated_at=now)
                uow.session.add(review)
                row.rating_count += 1
                row.rating_sum += rating
            else:
                row.rating_sum += rating - review.rating
                review.rating = rating
                review.text = text_
                review.updated_at = now
            uow.record(ev.ReviewAdded(source=SOURCE, template_id=template_id, reviewer=reviewer,
                                      rating=rating, replaced=replaced))
            uow.session.flush()
            out = Review(template_id=template_id, reviewer=reviewer, rating=rating, text=text_,
                         created_at=review.created_at, updated_at=review.updated_at)
            uow.commit()
        self.invalidate()
        return out

    @operation
    def reviews(self, template_id: str) -> list[Review]:
        self.get(template_id, include_deleted=True)
        with self.ctx.new_uow() as uow:
            rows = uow.session.scalars(
                select(ReviewRow).where(ReviewRow.template_id == template_id).order_by(ReviewRow.updated_at.desc())
            ).all()
            return [Review(template_id=r.template_id, reviewer=r.reviewer, rating=r.rating, text=r.text,
                           created_at=r.created_at, updated_at=r.updated_at) for r in rows]

    # -- stats -----------------------------------------------------------------------------------
    def register_stats_source(self, fn: StatsSource) -> None:
        """Other areas add figures: ``fn(ids) -> {id: {"builds": 3, "build_success_rate": .67, ...}}``.

        Known keys: builds, build_success_rate, recent_builds, revenue_minor, currency, sales,
        recent_sales, last_activity (datetime or ISO text). Others show up as they are.
        """
        self._stats_sources.append(fn)
        self.invalidate()

    @operation
    def stats(self, template_ids: Sequence[str]) -> dict[str, TemplateStats]:
        ids = list(dict.fromkeys(template_ids))
        if not ids:
            return {}
        with self.ctx.new_uow() as uow:
            rows = uow.session.execute(
                select(TemplateRow.id, TemplateRow.rating_sum, TemplateRow.rating_count, TemplateRow.updated_at)
                .where(TemplateRow.id.in_(ids))
            ).all()
            last_review = dict(
                uow.session.execute(
                    select(ReviewRow.template_id, func.max(ReviewRow.updated_at))
                    .where(ReviewRow.template_id.in_(ids)).group_by(ReviewRow.template_id)
                ).all()
            )
        merged: dict[str, TemplateFigures] = {r[0]: {} for r in rows}
        for source in self._stats_sources:
            try:
                figures = source(ids)
            except Exception:  # a broken stats source must not hide the templates
                if cancel.cancelled():
                    raise  # superseded (a newer click): the read is dropped, no source is broken
                log.exception("templates stats source %r failed", source)
                continue
            for tid, values in (figures or {}).items():
                if tid in merged:
                    merged[tid].update(values)
        now = self.ctx.clock()
        out: dict[str, TemplateStats] = {}
        for tid, rating_sum, rating_count, updated_at in rows:
            extra = merged[tid]
            activity = [t for t in (updated_at, _as_dt(last_review.get(tid)), _as_dt(extra.get("last_activity"))) if t]
            last = max(activity) if activity else None
            avg = rating_sum / rating_count if rating_count else None
            builds = int(extra.get("builds", 0) or 0)
            rate = extra.get("build_success_rate")
            sales = int(extra.get("sales", 0) or 0)
            score = trending_score(
                recent_sales=int(extra.get("recent_sales", sales) or 0),
                recent_builds=int(extra.get("recent_builds", builds) or 0),
                build_success_rate=float(rate) if rate is not None else None,
                rating_avg=avg,
                rating_count=rating_count,
                days_since_activity=(now - last).total_seconds() / 86400 if last else None,
            )
            out[tid] = TemplateStats(
                template_id=tid, rating_avg=avg, rating_count=rating_count, builds=builds,
                build_success_rate=float(rate) if rate is not None else None,
                revenue_minor=int(extra.get("revenue_minor", 0) or 0), currency=extra.get("currency"),
                sales=sales, last_activity=last, trending_score=score,
                extra={k: v for k, v in extra.items() if k not in {
                    "builds", "build_success_rate", "revenue_minor", "currency", "sales", "last_activity"}},
            )
        return out

    @operation
    def trending(self, limit: int = 10) -> list[tuple[TemplateSummary, float]]:
        """Active templates by :func:`app.templates.rules.trending_score`, highest first."""
        items = self.find(TemplateQuery(sort=SortKey.UPDATED, limit=5000))
        stats = self.stats([i.id for i in items])
        ranked = sorted(items, key=lambda i: (-stats[i.id].trending_score, i.title))
        return [(i, stats[i.id].trending_score) for i in ranked[:limit]]

    # -- health ------------------------------------------------------------------------------------
    def health(self) -> Health:
        return store_health(self.ctx)

    @operation
    def optimize(self) -> None:
        """Maintenance after bulk loads: merge the FTS5 index segments, refresh planner stats,
        and checkpoint the WAL (reads slow down while a large WAL is outstanding; SQLite only)."""
        with self.ctx.engine.begin() as conn:
            for statement in self._sql.upkeep:
                conn.execute(text(statement))
        if self._sql.backend is Backend.SQLITE:
            with self.ctx.engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        self.invalidate()

    def touch(self, template_id: str) -> None:
        """Mark activity on a template (e.g. from another area) without changing it."""
        with self.ctx.new_uow() as uow:
            uow.session.execute(update(TemplateRow).where(TemplateRow.id == template_id).values(updated_at=self.ctx.clock()))
            uow.commit()
        self.invalidate()


def _stale(row: TemplateRow, edited: int) -> StaleEditError:
    """The refusal of an edit made on version ``edited``: who changed the template since, and when."""
    when = row.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC") if row.updated_at else "a moment ago"
    who = row.changed_by or "someone"
    return StaleEditError(
        f"template {row.id!r} was changed by {who} at {when} (version {row.row_version}; you edited version "
        f"{edited}): nothing was saved; reopen it to see that change, then make your edit again",
        changed_by=row.changed_by, version=row.row_version)


def _as_dt(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return parse_iso(str(value))
    except UserError:
        return None
