"""The builds service: keys, builds as QProcess jobs, their persisted states and events, deploys."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

import app.builds.events as build_events
from app.builds.deployment import DeployResult
from app.builds.model import (
    Backend,
    BuildInfo,
    BuildPreview,
    BuildState,
    KeyExport,
    KeyInfo,
    Platform,
    check_alias,
    check_transition,
    normalize_fingerprint,
)
from app.builds.outcome import FINISHED, IN_PROGRESS, KEEPS_ARTIFACT, RETRYABLE, SUCCEEDED
from app.errors import ConflictError, NotFoundError, ToolError, TrendForgeError, UserError
from app.events import Event
from app.health import Health
from app.ids import random_id
from app.remedies import ChooseKey, ChoosePlatform, CreateKey, ImportKey, ListBuilds
from services.base import BaseService, operation
from services.builds import outcome_sql
from services.builds.health import toolchain_health
from services.builds.key_passwords import KeyPasswords
from services.builds.models import BuildRecord, DeploymentRecord, SigningKeyRecord, VersionCodeRecord
from services.builds.play_port import PlayPort
from services.builds.workspace import TRASH_PREFIX
from services.context import ServiceContext
from services.db.ids import resolve_id
from services.db.writes import begin_write, is_busy, short_waits
from services.events.correlation import current_correlation
from services.events.store import EventQuery
from services.leases import LeaseRecord, Leases, build_resource
from services.ports import TemplateCatalogue, TemplateFigures
from services.processes import end_orphaned_tools, pid_alive, scope_env
from services.system import Check

if TYPE_CHECKING:  # the pipeline, its tools (Qt) and the keys are imported by what starts, signs or deploys a build;
    # the release rules, version codes and stats by what checks, previews, starts or counts one: reading builds
    # (``builds list``, Home's and the panel's first fill, recovery at start) needs none of them
    from app.builds.progress import BuildStats
    from app.store.check import CheckReport, Problem
    from services.builds import keys as keyops
    from services.builds.deploy import DeployTarget
    from services.builds.pipeline import Mark, SigningKey, Verified
    from services.builds.release_check import VersionHistory
    from services.builds.runner import BuildRunner, JobHooks
    from services.builds.templates_port import BuildTemplate
    from services.builds.tools import ToolResult

log = logging.getLogger(__name__)
# imported by the methods that use them, not with the service (Home's start-up and `builds list` read none of
# them); the GUI imports them on a worker once its first panel is filled (Services.import_deferred)
LATER_IMPORTS = ("app.builds.progress", "app.builds.version", "app.releases.model", "app.store.check",
                 "services.builds.stats", "services.builds.templates_port")

class _Timer(Protocol):
    """The heartbeat's QTimer, as this service uses it (QtCore is imported only where one is made)."""

    def stop(self) -> None: ...


def _to_info(r: BuildRecord, deployments: list[DeploymentRecord] | None = None) -> BuildInfo:
    return BuildInfo(
        id=r.id, template_id=r.template_id, application_id=r.application_id, platform=Platform(r.platform),
        backend=Backend(r.backend), version_name=r.version_name, version_code=r.version_code,
        key_alias=r.key_alias, deploy_target=r.deploy_target, state=BuildState(r.state), step=r.step,
        percent=r.percent, created_at=r.created_at, started_at=r.started_at, finished_at=r.finished_at,
        duration_s=r.duration_s, artifact_path=r.artifact_path, fingerprint=r.fingerprint, error=r.error,
        log_path=r.log_path, retry_of=r.retry_of, run_id=(r.options or {}).get("correlation_id") or None,
        host=r.host, artifact_sha256=r.artifact_sha256,
        deployments=[
            {"target": d.target, "ok": d.ok, "dry_run": d.dry_run, "location": d.location, "detail": d.detail,
             "at": d.created_at.isoformat()}
            for d in (deployments or [])
        ],
    )



def _release_notes(given: Mapping[str, str] | None, package_dir: Path) -> tuple[tuple[str, str], ...]:
    """The notes given for this release, else the ones the template package declares; Play's limits checked now,
    before Play is asked anything."""
    from app.releases.model import check_notes

    if given is not None:
        return check_notes(given)
    from services.store.listing import package_release_notes  # Pillow

    declared = package_release_notes(package_dir)
    for locale, (text, where) in declared.items():
        try:
            check_notes({locale: text})
        except UserError as exc:
            raise UserError(f"{exc} ({where} in the template package); shorten them or give other notes") from None
    return check_notes({locale: text for locale, (text, _) in declared.items()})

class BuildsService(BaseService):
    name = "builds"

    def __init__(self, ctx: ServiceContext, templates: TemplateCatalogue, *, max_concurrent: int = 2,
                 settings_get: Callable[[str, object], object] | None = None,
                 base_url: Callable[[str], str] | None = None) -> None:
        super().__init__(ctx, cache_ttl=2.0)
        self.templates = templates
        self._settings_get: Callable[[str, object], object] = settings_get or (lambda key, default: default)
        self._base_url = base_url or (lambda name: ctx.config.base_urls[name])
        self._runner: BuildRunner | None = None
        self.play: PlayPort | None = None  # set by the releases area's wiring
        self._max_concurrent = max_concurrent
        self.builds_dir = ctx.data_dir / "builds"
        self.keys_dir = ctx.data_dir / "keys"
        self.passwords = KeyPasswords(ctx.secrets, ctx.data_dir)
        self._unrecorded: dict[str, tuple[BuildState, str]] = {}
        self.leases = Leases(ctx.engine, ctx.clock, ttl_s=ctx.config.lease_seconds)
        self._heartbeat: _Timer | None = None  # a QTimer, started with the first build or the recovery watch
        self._beating: concurrent.futures.Future[None] | None = None  # the heartbeat's work, on a worker
        self._watching_others = False  # holding the bus's OtherWriters while the runner is busy
        self._unsubscribe_cancels: Callable[[], None] | None = None

    # -- runner ---------------------------------------------------------------------------------
    @property
    def runner(self) -> BuildRunner:
        """Created lazily (a QObject; the GUI/CLI has made the Qt application by then)."""
        if self._runner is None:
            from PySide6.QtCore import QCoreApplication

            from services.builds.runner import BuildRunner

            runner = BuildRunner(limit=self._max_concurrent)
            app = QCoreApplication.instance()
            if app is not None and runner.thread() is not app.thread():
                runner.moveToThread(app.thread())  # jobs live on the thread that runs the event loop
            runner.busy_changed.connect(self._on_runner_busy_changed)
            self._unsubscribe_cancels = self.ctx.bus.subscribe(build_events.BuildCancelRequested,
                                                               self._on_bus_cancel_requested)
            self._runner = runner
        return self._runner

    def _on_runner_busy_changed(self, busy: bool) -> None:
        """While jobs are queued or running here, hear cancels asked for by other processes: their
        events arrive through the bus's one OtherWriters (on SQLite its data_version look is the
        app's one poll; on PostgreSQL a LISTEN). The mailbox is read once now for a request made
        before the watch began."""
        from services.events.other_writers import OtherWriters

        watcher = OtherWriters.of(self.ctx.config, self.ctx.bus)
        if busy and not self._watching_others:
            self._watching_others = True
            watcher.hold()
            self._honour_cancel_requests()
        elif not busy and self._watching_others:
            self._watching_others = False
            watcher.release()

    def _on_bus_cancel_requested(self, event: Event) -> None:
        runner = self._runner
        if isinstance(event, build_events.BuildCancelRequested) and runner is not None \
                and runner.job(event.build_id) is not None:
            self._honour_cancel_requests()

    def _honour_cancel_requests(self) -> None:
        runner = self._runner
        ids = [] if runner is None else [*runner.running_ids(), *runner.queued_ids()]
        if not ids:
            return
        with self.ctx.new_uow() as uow:
            rows = uow.session.execute(select(BuildRecord.id, BuildRecord.options).where(BuildRecord.id.in_(ids))).all()
        for build_id in [bid for bid, opts in rows if (opts or {}).get("cancel_requested")]:
            if runner is not None:
                runner.cancel(build_id)

    async def stop(self, timeout_s: float = 5.0) -> None:
        """On close, on the loop: cancel what is queued or running (killing tool trees) and await the
        runner's ``busy_changed(False)``, sent once its jobs have recorded their final states (or the
        deadline passes), then :meth:`shutdown`."""
        runner = self._runner
        if runner is not None and runner.busy():
            idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def on_busy_changed(busy: bool) -> None:
                if not busy and not idle.done():
                    idle.set_result(None)

            conn = runner.busy_changed.connect(on_busy_changed)  # before cancelling: an end between is not missed
            try:
                self._cancel_all(runner)
                if runner.busy():
                    await asyncio.wait_for(idle, timeout_s)
            except TimeoutError:
                log.warning("builds still running %.0fs after they were cancelled on close", timeout_s)
            finally:
                runner.busy_changed.disconnect(conn)
        self.shutdown(timeout_s)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """On close, with no loop to wait on: cancel what is queued or running (killing tool trees)
        without waiting. A job still running has its end recorded by :meth:`stop` where a loop runs;
        here (the loop already gone) the next start's recovery records it, as after a crash."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None
        runner = self._runner
        try:
            if runner is not None:
                self._release_runner(runner)
        finally:
            if self._watching_others:
                self._on_runner_busy_changed(False)
            if self._unsubscribe_cancels is not None:
                self._unsubscribe_cancels()
                self._unsubscribe_cancels = None
            if runner is not None:  # workspaces being deleted on the job runtime: only the runner's jobs delete them
                from services.builds.runner import wait_for_cleanup

                wait_for_cleanup(timeout_s)

    @staticmethod
    def _cancel_all(runner: BuildRunner) -> None:
        for build_id in [*runner.queued_ids(), *runner.running_ids()]:
            runner.cancel(build_id)

    def _release_runner(self, runner: BuildRunner) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent, QThread

        self._cancel_all(runner)
        if QCoreApplication.instance() is None or QThread.currentThread() is not runner.thread():
            return
        if not runner.busy():
            # delete the runner (and its timer) now, on its own thread, rather than whenever and
            # wherever Python's garbage collector gets to it
            self._runner = None
            runner.deleteLater()
            QCoreApplication.sendPostedEvents(runner, QEvent.Type.DeferredDelete)

    def set_concurrency(self, limit: int) -> None:
        self._max_concurrent = max(1, limit)
        if self._runner is not None:
            self._runner.limit = self._max_concurrent

    # -- keys -------------------------------------------------------------------------------------
    def _keystore_path(self, alias: str) -> Path:
        return self.keys_dir / f"{alias}.p12"

    def _staging_path(self, alias: str) -> Path:
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        return self.keys_dir / f".{alias}.{random_id()[:12]}.p12.partial"

    @operation
    def create_key(self, alias: str, *, dname: str | None = None, password: str | None = None) -> KeyInfo:
        check_alias(alias)
        self._require_new_key(alias)
        from services.builds import keys as keyops

        pw = password or keyops.generate_password()
        staged = self._staging_path(alias)
        try:
            facts = keyops.generate_keystore(staged, alias, pw, dname)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return self._store_key(alias, staged, facts, pw, imported=False)

    @operation
    def import_key(self, alias: str, keystore_file: Path, password: str, *, key_alias: str | None = None) -> KeyInfo:
        check_alias(alias)
        self._require_new_key(alias)
        source = Path(keystore_file).expanduser()
        self.require(source.is_file(), f"no keystore file at {source}")
        self.require(password, "the keystore password is empty; pipe it on stdin")
        from services.builds import keys as keyops

        facts = keyops.inspect_keystore(source, password, key_alias)  # wrong password -> clear UserError
        staged = self._staging_path(alias)
        try:
            shutil.copyfile(source, staged)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return self._store_key(alias, staged, facts, password, imported=True)

    def _require_new_key(self, alias: str) -> None:
        with self.ctx.new_uow() as uow:
            if uow.session.get(SigningKeyRecord, alias) is not None:
                raise ConflictError(f"a key named {alias!r} exists already; pick another alias")
        path = self._keystore_path(alias)
        if path.exists():
            raise ConflictError(f"{path} exists but no key of this data dir uses it; it is left as it is. "
                                "Pick another alias, or move the file away first")
        self.passwords.require_free(alias)

    def _store_key(self, alias: str, staged: Path, facts: keyops.KeystoreFacts, password: str, *,
                   imported: bool) -> KeyInfo:
        """Password into the keyring, keystore into place, record committed; any failure leaves none of them."""
        path = self._keystore_path(alias)
        try:
            staged.chmod(0o600)
            entry = self.passwords.store(alias, password)
            try:
                os.link(staged, path)  # never replaces a keystore file
                with self.ctx.new_uow() as uow:
                    rec = SigningKeyRecord(alias=alias, keystore_path=str(path), key_alias=facts.key_alias,
                                           fingerprint_sha256=facts.fingerprint, subject=facts.subject,
                                           created_at=self.ctx.clock())
                    uow.session.add(rec)
                    uow.record(build_events.KeyCreated(source=self.name, alias=alias, fingerprint=facts.fingerprint,
                                                       imported=imported))
                    uow.commit()
            except BaseException:
                if path.exists() and path.samefile(staged):
                    path.unlink()
                self.passwords.forget(alias)
                raise
        finally:
            staged.unlink(missing_ok=True)
        self.invalidate()
        return KeyInfo(alias, facts.fingerprint, facts.subject, str(path), rec.created_at, keyring_entry=entry)

    @operation
    def list_keys(self) -> list[KeyInfo]:
        with self.ctx.new_uow() as uow:
            rows = uow.session.scalars(select(SigningKeyRecord).order_by(SigningKeyRecord.alias)).all()
            return [KeyInfo(r.alias, r.fingerprint_sha256, r.subject, r.keystore_path, r.created_at) for r in rows]

    def _key_record(self, alias: str) -> tuple[Path, str, str]:
        """(keystore path, key alias inside it, certificate fingerprint) of a key of this data dir."""
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(SigningKeyRecord, alias)
            if rec is None:
                raise NotFoundError(f"no key {alias!r}", remedy=CreateKey(alias))
            return Path(rec.keystore_path), rec.key_alias, rec.fingerprint_sha256

    @staticmethod
    def _opener(keystore: Path, key_alias: str, fingerprint: str) -> Callable[[str], bool]:
        from services.builds import keys as keyops

        def opens(password: str) -> bool:
            try:
                return keyops.inspect_keystore(keystore, password, key_alias).fingerprint == fingerprint
            except (UserError, ToolError):
                return False

        return opens

    def _key_password(self, alias: str) -> str:
        keystore, key_alias, fingerprint = self._key_record(alias)
        password = self.passwords.password(alias, self._opener(keystore, key_alias, fingerprint))
        if not password:
            raise UserError(f"the keyring holds no password that opens key {alias!r} ({keystore}); "
                            "if you know its password, import that keystore under a new alias", remedy=ImportKey())
        return password

    def _signing_key(self, alias: str) -> SigningKey:
        keystore, key_alias, fingerprint = self._key_record(alias)
        from services.builds.pipeline import SigningKey

        return SigningKey(alias, keystore, key_alias, self._key_password(alias), fingerprint)

    def key_checks(self) -> list[Check]:
        """Open every keystore with its keyring password; a check per key, failing for any that does not open."""
        checks = []
        for key in self.list_keys():
            keystore, key_alias, fingerprint = self._key_record(key.alias)
            name = f"key:{key.alias}"
            if not keystore.is_file():
                checks.append(Check(name, False, f"keystore missing: {keystore}",
                                    "restore it from your backup (a key export makes one)"))
                continue
            opens = self._opener(keystore, key_alias, fingerprint)
            try:
                password = self.passwords.password(key.alias, opens)
            except UserError as exc:  # includes a keyring that refuses
                checks.append(Check(name, False, str(exc)))
                continue
            if password is None:
                checks.append(Check(name, False, f"no password in the keyring for {keystore}",
                                    "import the keystore with its password under a new alias"))
            elif not opens(password):
                checks.append(Check(name, False, f"the keyring password (entry {self.passwords.name(key.alias)}) "
                                    f"does not open {keystore}",
                                    "import the keystore with its password under a new alias"))
            else:
                checks.append(Check(name, True, f"opens {keystore.name} (certificate SHA-256 {fingerprint[:16]}…)"))
        return checks

    @operation
    def export_key(self, alias: str, dest: Path) -> KeyExport:
        """Copy the keystore to ``dest`` (a new file, or a folder); the password stays in the keyring."""
        keystore, _, fingerprint = self._key_record(alias)
        self.require(keystore.is_file(), f"the keystore of key {alias!r} is missing: {keystore}")
        target = Path(dest).expanduser()
        if target.is_dir():
            target = target / keystore.name
        self.require(target.parent.is_dir(), f"no folder {target.parent}; create it first")
        if target.exists():
            raise ConflictError(f"{target} exists already; nothing was written. Choose a new file name")
        staged = target.parent / f".{target.name}.{random_id()[:12]}.partial"
        try:
            with keystore.open("rb") as src, open(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                                                  "wb") as out:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            os.link(staged, target)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise ConflictError(f"{target} exists already; nothing was written. Choose a new file name") from None
        finally:
            staged.unlink(missing_ok=True)
        with self.ctx.new_uow() as uow:
            uow.record(build_events.KeyExported(source=self.name, alias=alias, fingerprint=fingerprint))
            uow.commit()
        return KeyExport(alias, target, fingerprint, self.passwords.name(alias))

    @operation
    def backed_up_keys(self) -> set[str]:
        """Aliases of the keys exported at least once with the certificate they have now (a backup exists)."""
        current = {k.alias: k.fingerprint_sha256 for k in self.list_keys()}
        exported = self.ctx.bus.history(EventQuery(types=[build_events.KeyExported.TYPE], limit=10_000))
        return {e.event.alias for e in exported
                if isinstance(e.event, build_events.KeyExported) and current.get(e.event.alias) == e.event.fingerprint}

    def key_password(self, alias: str) -> str:
        """The password, for showing to its owner on a terminal only (the CLI checks that)."""
        return self._key_password(alias)

    def _default_key_alias(self) -> str | None:
        configured = self._settings_get("builds.default_key", None)
        if isinstance(configured, str) and configured:
            return configured
        aliases = [k.alias for k in self.list_keys()]
        return aliases[0] if len(aliases) == 1 else None

    def expected_upload_fingerprint(self, application_id: str) -> str | None:
        value = self._settings_get(f"builds.upload_key.{application_id.replace('.', '_').lower()}", None)
        return normalize_fingerprint(value) if isinstance(value, str) and value else None

    # -- builds -----------------------------------------------------------------------------------
    def _template(self, template_id: str) -> tuple[BuildTemplate, Path]:
        from services.builds.templates_port import BuildTemplate

        info = self.templates.get(template_id)
        package_dir = Path(self.templates.package_dir(template_id))
        return BuildTemplate.from_package(info, package_dir), package_dir

    @operation
    def start_build(
        self, template_id: str, version: str, platform: str | Platform = Platform.APK, *,
        key_alias: str | None = None, deploy: str | None = None, dry_run: bool = False,
        expected_fingerprint: str | None = None, application_id: str | None = None,
        app_name: str | None = None, retry_of: str | None = None,
        rollout: float | None = None, notes: Mapping[str, str] | None = None,
    ) -> BuildInfo:
        from app.builds.version import SemVer, next_version_code
        from app.store.check import DeployKind, ReleaseCheckError

        plat = platform if isinstance(platform, Platform) else Platform.parse(platform)
        semver = SemVer.parse(version)
        template, package_dir = self._template(template_id)
        from services.builds.deploy import DeployTarget
        from services.builds.pipeline import BuildSpec, gradle_project
        from services.builds.release_check import release_report
        from services.builds.runner import BuildJob

        backend = Backend.GRADLE if gradle_project(package_dir) and plat is not Platform.WEB else Backend.DIRECT
        target = DeployTarget.parse(deploy) if deploy else None
        key = self._check_request(plat, key_alias, target)
        app_id = application_id or template.application_id
        name = app_name or template.app_name
        if self.previews(dry_run, target):
            raise UserError("a dry run without a Google Play target builds nothing; ask for a preview instead")
        report = release_report(template, package_dir, plat, DeployKind(target.kind) if target else DeployKind.NONE,
                                str(semver), app_id, name, self._version_history(app_id))
        if not report.ready:
            raise ReleaseCheckError(report)  # before anything is written: no versionCode is spent
        carried = current_correlation()  # a workflow run's id, kept for the job's later events
        options: dict[str, object] = {
            "dry_run": dry_run, "pid": os.getpid(), "host": self.leases.host, "app_name": name,
            "correlation_id": carried[0] if carried else None,
            "release_warnings": [p.to_dict() for p in report.warnings],
            "expected_fingerprint": normalize_fingerprint(expected_fingerprint) if expected_fingerprint else None}
        on_play: int | None = None
        if target is not None and target.kind == "play":
            target = self._play_target(target, rollout)
            release_notes = _release_notes(notes, package_dir)
            options.update({"rollout": rollout, "notes": dict(release_notes)})
            # the versionCode must be above what Play has, found now rather than when Play refuses the upload
            on_play = self._require_play().highest_version_code(app_id, target.arg)
        elif rollout is not None or notes:
            raise UserError("a rollout fraction and release notes go with a Google Play deploy (play:TRACK)")
        build_id = random_id()
        with self.ctx.new_uow() as uow:
            # read and bump the last code holding the write lock: unique under any concurrency
            begin_write(uow.session, VersionCodeRecord.__table__)  # type: ignore[arg-type]
            codes = uow.session.get(VersionCodeRecord, app_id)
            known = [c for c in (codes.last_code if codes else None, on_play) if c is not None]
            code = next_version_code(semver, max(known) if known else None)
            if codes is None:
                uow.session.add(VersionCodeRecord(application_id=app_id, last_code=code))
            else:
                codes.last_code = code
            rec = BuildRecord(
                id=build_id, template_id=template.id, application_id=app_id, app_name=name,
                platform=plat.value, backend=backend.value, version_name=str(semver), version_code=code,
                key_alias=key.alias if key else None, deploy_target=str(target) if target else None,
                state=BuildState.QUEUED.value, step="", percent=0.0, created_at=self.ctx.clock(), host=self.leases.host,
                log_path=str(self.builds_dir / build_id / "build.log"), retry_of=retry_of, options=options,
            )
            uow.session.add(rec)
            self.leases.take(uow.session, build_resource(build_id))  # this machine runs it while it renews
            uow.record(build_events.BuildQueued(
                source=self.name, build_id=build_id, template_id=template.id, platform=plat.value,
                version_name=str(semver), version_code=code, retry_of=retry_of))
            uow.commit()
        self.invalidate()
        self.watch_leases()
        spec = BuildSpec(
            build_id=build_id, template=template, package_dir=package_dir, platform=plat, backend=backend,
            version_name=str(semver), version_code=code, application_id=app_id, app_name=name,
            workdir=self.builds_dir / build_id / "work", outdir=self.builds_dir / build_id / "out", key=key,
            deployer=self._deployer(build_id, target, dry_run) if target else None,
            toolchain_env={**scope_env(self.ctx.data_dir), **self.toolchain_env()}, correlation=carried,
        )
        expected_tasks = self._expected_gradle_tasks(template.id, plat) if backend is Backend.GRADLE else None
        job = BuildJob(spec, Path(rec.log_path or ""), self._hooks(), expected_gradle_tasks=expected_tasks,
                       redact_lines=self.redact_lines)
        self.runner.submit(job)
        return _to_info(rec)

    @operation
    def check_release(self, template_id: str, platform: str | Platform = Platform.APK, *, deploy: str | None = None,
                      version: str | None = None, application_id: str | None = None,
                      app_name: str | None = None) -> CheckReport:
        """Play's upload rules and makers' pitfalls for this template, as ``start_build`` applies them."""
        from app.builds.version import SemVer
        from app.store.check import DeployKind

        plat = platform if isinstance(platform, Platform) else Platform.parse(platform)
        template, package_dir = self._template(template_id)
        from services.builds.deploy import DeployTarget
        from services.builds.release_check import release_report

        target = DeployTarget.parse(deploy) if deploy else None
        if version is not None:
            version = str(SemVer.parse(version))
        app_id = application_id or template.application_id
        return release_report(template, package_dir, plat, DeployKind(target.kind) if target else DeployKind.NONE,
                              version, app_id, app_name or template.app_name, self._version_history(app_id))

    def last_release_warnings(self, build_id: str) -> list[Problem]:
        """The release check's warnings recorded when the build was queued (it had no blockers)."""
        from app.store.check import Problem, Rule, Severity

        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            rows = (rec.options or {}).get("release_warnings", []) if rec is not None else []
        return [Problem(Rule(r["rule"]), Severity(r["severity"]), str(r["field"]), str(r["message"])) for r in rows]

    def _version_history(self, application_id: str) -> VersionHistory:
        from services.builds.release_check import VersionHistory

        with self.ctx.new_uow() as uow:
            codes = uow.session.get(VersionCodeRecord, application_id)
            last_code = codes.last_code if codes is not None else None
            row = uow.session.execute(
                select(BuildRecord.version_name, BuildRecord.version_code)
                .where(BuildRecord.application_id == application_id,
                       outcome_sql.where(SUCCEEDED))
                .order_by(BuildRecord.version_code.desc()).limit(1)).first()
            released = uow.session.scalar(
                select(func.count()).select_from(DeploymentRecord).join(BuildRecord, BuildRecord.id == DeploymentRecord.build_id)
                .where(BuildRecord.application_id == application_id, DeploymentRecord.ok.is_(True),
                       DeploymentRecord.dry_run.is_(False), DeploymentRecord.target.like("play:%")))
        return VersionHistory(last_version_name=row[0] if row else None,
                              last_version_code=last_code,
                              released_on_play=bool(released))

    @staticmethod
    def previews(dry_run: bool, target: DeployTarget | str | None) -> bool:
        """A dry run builds for real only to validate a Google Play upload; any other dry run is
        a preview: checked and described, nothing built, no versionCode spent."""
        from services.builds.deploy import DeployTarget

        parsed = DeployTarget.parse(target) if isinstance(target, str) else target
        return dry_run and (parsed is None or parsed.kind != "play")

    @operation
    def preview_build(self, template_id: str, version: str, platform: str | Platform = Platform.APK, *,
                      key_alias: str | None = None, deploy: str | None = None,
                      application_id: str | None = None) -> BuildPreview:
        """What ``start_build`` would do, after the same checks (template, key, adb), writing nothing."""
        from app.builds.progress import plan_steps
        from app.builds.version import SemVer, next_version_code
        from app.store.check import DeployKind, ReleaseCheckError

        plat = platform if isinstance(platform, Platform) else Platform.parse(platform)
        semver = SemVer.parse(version)
        template, package_dir = self._template(template_id)
        from services.builds.deploy import DeployTarget
        from services.builds.pipeline import gradle_project
        from services.builds.release_check import release_report

        backend = Backend.GRADLE if gradle_project(package_dir) and plat is not Platform.WEB else Backend.DIRECT
        target = DeployTarget.parse(deploy) if deploy else None
        key = self._check_request(plat, key_alias, target)
        app_id = application_id or template.application_id
        report = release_report(template, package_dir, plat, DeployKind(target.kind) if target else DeployKind.NONE,
                                str(semver), app_id, template.app_name, self._version_history(app_id))
        if not report.ready:
            raise ReleaseCheckError(report)  # the build would be refused: the preview says so
        with self.ctx.new_uow() as uow:
            codes = uow.session.get(VersionCodeRecord, app_id)
            code = next_version_code(semver, codes.last_code if codes else None)
        return BuildPreview(template_id=template.id, application_id=app_id, platform=plat, backend=backend,
                            version_name=str(semver), version_code=code, key_alias=key.alias if key else None,
                            deploy_target=str(target) if target else None,
                            steps=plan_steps(backend, plat, deploy=target is not None).names)

    def _check_request(self, plat: Platform, key_alias: str | None, target: DeployTarget | None) -> SigningKey | None:
        """What a build needs before a versionCode is spent: its key (and password), the deploy's tools."""
        key: SigningKey | None = None
        if plat is not Platform.WEB:
            alias = key_alias or self._default_key_alias()
            self.require(alias, "no signing key chosen and no default key", ChooseKey())
            assert alias is not None
            key = self._signing_key(alias)
        if target is not None and target.kind == "adb":
            self.require(plat is Platform.APK, "adb installs APKs only", ChoosePlatform(Platform.APK.value))
            # a missing adb names its package now, not after a whole build
            from services.builds.tools import resolve_tool

            resolve_tool("adb", self.toolchain_env().get("PATH"))
        return key

    def _require_play(self) -> PlayPort:
        if self.play is None:
            raise UserError("Google Play publishing is not available in this TrendForge")
        return self.play

    @staticmethod
    def _play_target(target: DeployTarget, rollout: float | None) -> DeployTarget:
        """A rollout fraction makes the release staged (inProgress) unless a status was given."""
        from app.releases.model import ReleaseStatus, check_fraction

        status = ReleaseStatus.parse(target.status)
        if rollout is not None and status is ReleaseStatus.COMPLETED:
            status = ReleaseStatus.IN_PROGRESS
        check_fraction(status, rollout)
        from services.builds.deploy import DeployTarget

        return DeployTarget("play", target.arg, status.value)

    def toolchain_env(self) -> dict[str, str]:
        """PATH, JAVA_HOME and ANDROID_HOME from the toolchain settings (Settings > Toolchain).

        Extra folders and ``JAVA_HOME/bin`` come before the inherited PATH; empty settings change nothing.
        """
        env: dict[str, str] = {}
        java_home = str(self._settings_get("toolchain.java_home", "") or "").strip()
        android_home = str(self._settings_get("toolchain.android_home", "") or "").strip()
        extra = [p for p in str(self._settings_get("toolchain.extra_path", "") or "").split(os.pathsep) if p.strip()]
        if java_home:
            env["JAVA_HOME"] = java_home
            extra.append(str(Path(java_home) / "bin"))
        if android_home:
            env["ANDROID_HOME"] = android_home
        if extra:
            env["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])
        return env

    def _expected_gradle_tasks(self, template_id: str, platform: Platform) -> int | None:
        with self.ctx.new_uow() as uow:
            rows = uow.session.scalars(
                select(BuildRecord).where(BuildRecord.template_id == template_id, BuildRecord.platform == platform.value,
                                          outcome_sql.where(SUCCEEDED))
                .order_by(BuildRecord.created_at.desc()).limit(1)).all()
            for r in rows:
                tasks = (r.options or {}).get("gradle_tasks")
                if isinstance(tasks, int) and tasks > 0:
                    return tasks
        return None

    # -- job hooks: every transition persisted and published -------------------------------------------
    def _hooks(self, try_ms: int | None = None) -> JobHooks:
        from services.builds.runner import BuildJob, HookWriteError, JobHooks

        waits = BuildJob.PERSIST_TRY_MS if try_ms is None else try_ms

        def recorded(write: Callable[..., None]) -> Callable[..., None]:
            def call(*args: Any) -> None:
                try:
                    with short_waits(waits):  # the job retries a busy database itself, off a timer
                        write(*args)
                except DBAPIError as exc:  # busy (retried), or a full disk, a refusal: the build ends
                    raise HookWriteError(str(exc.orig or exc), busy=is_busy(exc)) from exc

            return call

        return JobHooks(on_started=recorded(self._on_job_started), on_step=recorded(self._on_job_step),
                        on_mark=recorded(self._on_job_mark), on_final=recorded(self._on_job_final),
                        on_unrecorded=self._on_job_unrecorded)

    def _on_job_unrecorded(self, build_id: str, state: BuildState, message: str) -> None:
        """The job ended but its final state could not be written: remember it for :meth:`wait`
        (start-up recovery marks the record failed once this process is gone)."""
        self._unrecorded[build_id] = (state, message)

    def _transition(self, build_id: str, target: BuildState, apply: Callable[[BuildRecord], list[Event]]) -> None:
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            if rec is None:
                raise NotFoundError(f"no build {build_id}")
            current = BuildState(rec.state)
            if current != target:
                check_transition(current, target)
            rec.state = target.value
            uow.record(*apply(rec))
            uow.commit()
        self.invalidate()

    def _on_job_started(self, build_id: str) -> None:
        def apply(rec: BuildRecord) -> list[Event]:
            rec.started_at = self.ctx.clock()
            return [build_events.BuildStarted(source=self.name, build_id=rec.id, template_id=rec.template_id,
                                              backend=rec.backend)]

        self._transition(build_id, BuildState.RUNNING, apply)

    def _on_job_step(self, build_id: str, step: str, percent: float) -> None:
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            if rec is None:
                return
            rec.step = step
            rec.percent = percent
            uow.record(build_events.BuildProgressed(source=self.name, build_id=build_id, step=step,
                                                    percent=round(percent, 1), state=rec.state))
            uow.commit()
        self.invalidate()

    def _on_job_mark(self, build_id: str, mark: Mark) -> None:
        def apply(rec: BuildRecord) -> list[Event]:
            artifact = str(mark.artifact) if mark.artifact else ""
            if mark.state is BuildState.BUILT:
                if "gradle_tasks" in mark.detail:
                    rec.options = {**(rec.options or {}), "gradle_tasks": int(mark.detail["gradle_tasks"])}
                if Platform(rec.platform) is Platform.WEB:
                    rec.artifact_path = artifact
                    rec.artifact_sha256 = mark.detail.get("sha256")
                return [build_events.BuildSucceeded(source=self.name, build_id=rec.id, template_id=rec.template_id,
                                                    artifact=artifact)]
            if mark.state is BuildState.SIGNED:
                rec.artifact_path = artifact
                rec.artifact_sha256 = mark.detail.get("sha256")
                rec.fingerprint = mark.fingerprint
                duration = self._duration(rec)
                return [build_events.BuildSigned(source=self.name, build_id=rec.id, template_id=rec.template_id,
                                                 artifact=artifact, fingerprint=mark.fingerprint or "",
                                                 duration_s=round(duration, 3))]
            if mark.state is BuildState.DEPLOYED:
                deployed = mark.deployed or DeployResult(location="")
                return [build_events.BuildDeployed(source=self.name, build_id=rec.id, target=rec.deploy_target or "",
                                                   location=deployed.location, dry_run=deployed.dry_run)]
            return []

        self._transition(build_id, mark.state, apply)
        if mark.state is BuildState.DEPLOYED:
            self._record_deployment(build_id, result=mark.deployed or DeployResult(location=""))

    def _record_deployment(self, build_id: str, *, result: DeployResult | None = None, error: str = "",
                           target: str | None = None) -> None:
        """One deployment row: ``result`` when it went through, else the ``error`` that stopped it."""
        ok = result is not None
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            uow.session.add(DeploymentRecord(
                build_id=build_id, target=target or (rec.deploy_target if rec else "") or "", ok=ok,
                dry_run=result.dry_run if result else False, location=result.location if result else "",
                detail=error or (", ".join(result.steps) if result else ""),
                created_at=self.ctx.clock()))
            if not ok:
                uow.record(build_events.BuildDeployFailed(source=self.name, build_id=build_id,
                                                          target=target or "", error=error))
            uow.commit()
        self.invalidate()

    def _duration(self, rec: BuildRecord) -> float:
        if rec.started_at is None:
            return 0.0
        return max(0.0, (self.ctx.clock() - rec.started_at).total_seconds())

    def _on_job_final(self, build_id: str, state: BuildState, message: str) -> None:
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            if rec is None:
                return
            current = BuildState(rec.state)
            now = self.ctx.clock()
            if RETRYABLE.of_state(state):
                after_artifact = KEEPS_ARTIFACT.holds(current, Platform(rec.platform), rec.finished_at is not None)
                if after_artifact and state is BuildState.FAILED:
                    # the deploy failed after signing (or after bundling, for web): the build keeps its good
                    # artifact and state, the deployment is recorded failed
                    rec.error = message
                    rec.finished_at = rec.finished_at or now
                    uow.commit()
                    self._record_deployment(build_id, error=message, target=rec.deploy_target)
                    return
                if FINISHED.holds(current, Platform(rec.platform), rec.finished_at is not None):
                    return
                check_transition(current, state)
                rec.state = state.value
                rec.error = message
                rec.artifact_path = None
                rec.artifact_sha256 = None
                if state is BuildState.FAILED:
                    uow.record(build_events.BuildFailed(source=self.name, build_id=rec.id, template_id=rec.template_id,
                                                        step=rec.step, error=message))
                else:
                    uow.record(build_events.BuildCancelled(source=self.name, build_id=rec.id,
                                                           template_id=rec.template_id))
            rec.finished_at = now
            rec.duration_s = self._duration(rec)
            if not RETRYABLE.of_state(state):
                rec.percent = 100.0
                rec.step = "done"
            self.leases.release(uow.session, build_resource(build_id))
            uow.commit()
        self.invalidate()

    # -- deploy ---------------------------------------------------------------------------------------
    def _deployer(self, build_id: str, target: DeployTarget, dry_run: bool) -> Callable[[Path, str], DeployResult]:
        def run(artifact: Path, fingerprint: str) -> DeployResult:
            # the pipeline verified this artifact a moment ago; its fingerprint is checked, not re-read
            return self._deploy_artifact(build_id, artifact, fingerprint, target, dry_run, reverify=False)

        return run

    def verify_artifact(self, artifact: Path) -> str:
        """Verify a signed artifact afresh (the build's own verify steps, run here to completion)
        and return its certificate SHA-256 ('' for web bundles)."""
        from services.builds.pipeline import verify_steps
        from services.builds.tools import run_tool_sync

        steps = verify_steps(artifact)
        result: ToolResult | None = None
        try:
            while True:
                step = next(steps) if result is None else steps.send(result)
                result = run_tool_sync(step.tool, step.args, env=step.env or None, cwd=step.cwd)
        except StopIteration as done:
            verified: Verified = done.value
            return verified.fingerprint

    def _deploy_artifact(self, build_id: str, artifact: Path, fingerprint: str, target: DeployTarget,
                         dry_run: bool, *, reverify: bool = True) -> DeployResult:
        """Runs off the Qt thread during a build: no Qt objects touched except via run_tool_sync."""
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            if rec is None:
                raise NotFoundError(f"no build {build_id}")
            info = _to_info(rec)
            options = dict(rec.options or {})
        if info.platform is not Platform.WEB:
            actual = self.verify_artifact(artifact) if reverify else fingerprint
            self.require(actual, f"build {build_id} has no verified signature to deploy")
            expected = options.get("expected_fingerprint") or self.expected_upload_fingerprint(info.application_id)
            if expected is None:
                expected = fingerprint
            if actual != expected:
                raise UserError(
                    f"refusing to deploy: the artifact is signed by {actual[:16]}..., but the expected upload key "
                    f"is {expected[:16]}...; rebuild with the upload key or fix the expected fingerprint",
                    remedy=ChooseKey())
            fingerprint = actual
        from services.builds.deploy import deploy_adb, deploy_folder

        if target.kind == "folder":
            meta: dict[str, str | int] = {"build_id": build_id, "template_id": info.template_id, "application_id": info.application_id,
                    "version_name": info.version_name, "version_code": info.version_code,
                    "platform": info.platform.value, "fingerprint_sha256": fingerprint}
            return deploy_folder(artifact, Path(target.arg), meta)
        if target.kind == "adb":
            return deploy_adb(artifact)
        rollout = options.get("rollout")
        return DeployResult.of_play(self._require_play().publish_build(
            info.application_id, artifact, target.arg, info.version_code, status=target.status,
            user_fraction=float(rollout) if rollout is not None else None, notes=dict(options.get("notes") or {}),
            dry_run=dry_run))

    @operation
    def deploy(self, build_id: str, target: str, *, dry_run: bool = False) -> DeployResult:
        """Deploy an already signed build (blocking; the GUI calls it off the GUI thread)."""
        info = self.get(build_id)
        build_id = info.id  # a prefix names it from here on by its full id
        self.require(KEEPS_ARTIFACT(info) and info.artifact_path,
                     f"build {build_id} is {info.state.value}; only a finished, signed build can be deployed")
        from services.builds.deploy import DeployTarget

        parsed = DeployTarget.parse(target)
        try:
            result = self._deploy_artifact(build_id, Path(info.artifact_path or ""), info.fingerprint or "", parsed, dry_run)
        except TrendForgeError as exc:
            self._record_deployment(build_id, error=str(exc), target=str(parsed))
            raise

        def apply(rec: BuildRecord) -> list[Event]:
            rec.deploy_target = str(parsed)
            return [build_events.BuildDeployed(source=self.name, build_id=build_id, target=str(parsed),
                                               location=result.location, dry_run=dry_run)]

        self._transition(build_id, BuildState.DEPLOYED, apply)
        self._record_deployment(build_id, result=result, target=str(parsed))
        return result

    # -- queries, cancel, retry -----------------------------------------------------------------------
    @operation
    def get(self, build_id: str) -> BuildInfo:
        with self.ctx.new_uow() as uow:
            full = resolve_id(uow.session, BuildRecord.id, build_id, what="build", remedy=ListBuilds())
            rec = uow.session.get(BuildRecord, full)
            assert rec is not None
            deps = uow.session.scalars(select(DeploymentRecord).where(DeploymentRecord.build_id == rec.id)
                                       .order_by(DeploymentRecord.id)).all()
            return _to_info(rec, list(deps))

    @operation
    def list_builds(self, *, limit: int = 200, template_id: str | None = None, state: str | None = None) -> list[BuildInfo]:
        with self.ctx.new_uow() as uow:
            q = select(BuildRecord).order_by(BuildRecord.created_at.desc()).limit(limit)
            if template_id:
                q = q.where(BuildRecord.template_id == template_id)
            if state:
                q = q.where(BuildRecord.state == state)
            return [_to_info(r) for r in uow.session.scalars(q)]

    @operation
    def cancel(self, build_id: str) -> BuildInfo:
        info = self.get(build_id)
        if FINISHED(info):
            raise ConflictError(f"build {info.id} is already {info.state.value}")
        if self._runner is not None and self._runner.cancel(info.id):
            return self.get(info.id)
        # not running in this process: only an orphaned record (its process is gone) may be closed here
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, info.id)
            assert rec is not None
            pid = int((rec.options or {}).get("pid", 0))
            if pid != os.getpid() and pid_alive(pid):
                # the mailbox is the durable request; its event wakes the owning process, which cancels its job
                rec.options = {**(rec.options or {}), "cancel_requested": True}
                uow.record(build_events.BuildCancelRequested(source=self.name, build_id=rec.id,
                                                             template_id=rec.template_id))
                uow.commit()
                self.invalidate()
                return self.get(info.id)
        self._on_job_final(info.id, BuildState.CANCELLED, "cancelled")
        return self.get(info.id)

    @operation
    def retry(self, build_id: str) -> BuildInfo:
        info = self.get(build_id)
        self.require(RETRYABLE(info),
                     f"build {info.id} is {info.state.value}; only failed or cancelled builds can be retried")
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, info.id)
            assert rec is not None
            options = dict(rec.options or {})
        return self.start_build(
            info.template_id, info.version_name, info.platform, key_alias=info.key_alias, deploy=info.deploy_target,
            dry_run=bool(options.get("dry_run")), expected_fingerprint=options.get("expected_fingerprint"),
            application_id=info.application_id, app_name=options.get("app_name"), retry_of=info.id,
            rollout=options.get("rollout"), notes=options.get("notes"),
        )

    def recover_interrupted(self) -> int:
        """Builds left active by a process that is gone become failed (their workspace is cleaned).

        First the tools such a process left running (a SIGKILLed CLI's gradlew and its children)
        are ended, so nothing keeps writing into a workspace being deleted."""
        ended = end_orphaned_tools(self.ctx.data_dir)
        if ended:
            log.warning("ended %d tool process group(s) left running by a TrendForge process that is gone", len(ended))
        if self.builds_dir.is_dir():  # leftovers of a deletion cut short by an exit
            for trash in self.builds_dir.glob(f"*/{TRASH_PREFIX}*"):
                shutil.rmtree(trash, ignore_errors=True)
        return self.recover_lapsed()

    def recover_lapsed(self) -> int:
        """Fail the active builds whose owner is gone: a dead pid on this machine, or a lapsed lease.

        A build's lease (services.leases) is renewed by its owner's heartbeat; on this machine a dead
        owner is known at once by its pid, on another machine only when its lease has lapsed. Taking
        the lease over is one conditional update, so one process recovers each build.
        """
        n = 0
        with self.ctx.new_uow() as uow:
            rows = uow.session.scalars(select(BuildRecord).where(
                outcome_sql.where(IN_PROGRESS))).all()
            leases = self.leases.holders(uow.session, [build_resource(r.id) for r in rows])
            for rec in rows:
                lease = leases.get(build_resource(rec.id))
                why = self._owner_gone(rec, lease)
                if why is None:
                    continue
                if lease is not None and not self.leases.take_over(uow.session, lease.resource, from_holder=(
                        lease.holder if lease.host == self.leases.host else None)):
                    continue  # renewed meanwhile, or another process recovered it first
                rec.state = BuildState.FAILED.value
                rec.error = why
                rec.finished_at = self.ctx.clock()
                if lease is not None:
                    self.leases.release(uow.session, lease.resource)
                uow.record(build_events.BuildFailed(source=self.name, build_id=rec.id, template_id=rec.template_id,
                                                    step=rec.step, error=rec.error,
                                                    correlation_id=(rec.options or {}).get("correlation_id")))
                shutil.rmtree(self.builds_dir / rec.id / "work", ignore_errors=True)
                n += 1
            uow.commit()
        if n:
            self.invalidate()
        return n

    def _owner_gone(self, rec: BuildRecord, lease: LeaseRecord | None) -> str | None:
        """Why ``rec``'s owner no longer runs it, or None while it (may) still do."""
        options = rec.options or {}
        pid = int(options.get("pid", 0))
        host = str(options.get("host") or (lease.host if lease is not None else self.leases.host))
        if lease is not None and lease.holder == self.leases.holder:
            return None  # ours
        if host == self.leases.host:
            if pid == os.getpid() or pid_alive(pid):
                return None
            return "interrupted: TrendForge stopped during the build"
        if lease is None or self.leases.lapsed(lease):
            return (f"interrupted: {host} stopped renewing its lease on the build (the machine or its TrendForge "
                    f"went away); recovered by {self.leases.host}")
        return None

    def watch_leases(self) -> None:
        """Renew this process's build leases on a heartbeat, and recover others' lapsed builds with it."""
        if self._heartbeat is not None:
            return
        from PySide6.QtCore import QCoreApplication, QThread, QTimer

        app = QCoreApplication.instance()
        if app is None:
            return
        if QThread.currentThread() is not app.thread():  # a build started off the GUI thread: beat on it
            QTimer.singleShot(0, app, self.watch_leases)
            return
        timer = QTimer()
        timer.setInterval(self.leases.heartbeat_ms)
        timer.timeout.connect(self._on_heartbeat_timeout)
        timer.start()
        self._heartbeat = timer

    def _on_heartbeat_timeout(self) -> None:
        """A beat renews and recovers on a worker: its writes wait for the store's write lock, which a
        sync holds for each page it stores; on the GUI thread that wait froze the window (up to 350 ms
        during a 10k Stripe sync). A beat still waiting when the next is due lets that one go."""
        if self._beating is not None and not self._beating.done():
            return
        from services.runtime import job_runtime

        self._beating = job_runtime().submit(self._beat)

    def _beat(self) -> None:
        try:
            self.leases.renew()
            self.recover_lapsed()
        except DBAPIError as exc:  # the store is busy or away: the next beat tries again
            log.warning("build leases not renewed: %s", exc.orig or exc)

    def log_tail(self, build_id: str, lines: int = 200) -> list[str]:
        info = self.get(build_id)
        path = Path(info.log_path or "")
        if not path.is_file():
            return []
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 200 * max(lines, 1)))
            data = fh.read().decode("utf-8", errors="replace").splitlines()
        return data[-lines:]

    def _ended_here(self, build_id: str) -> BuildInfo | None:
        """The build as it ended, or None while a job of this process still runs (or is on its way) for it."""
        info = self.get(build_id)
        if self._runner is not None and self._runner.job(info.id) is not None:
            return None
        if FINISHED(info):
            return info
        unrecorded = self._unrecorded.get(info.id)
        if unrecorded is not None:  # ended here, but the database took no final write
            state, message = unrecorded
            return dataclasses.replace(info, state=state, error=message or info.error)
        if self._owner_pid(info.id) != os.getpid():
            return info  # runs in another process: nothing to wait on here
        return None  # submitted from another thread and still on its way to the runner

    async def finished(self, build_id: str) -> BuildInfo:
        """The build once it has ended: awaits its job's ``job_finished`` signal, no polling.

        The same awaitable serves the workflow action, the CLI (on its one loop per command)
        and the GUI; a build another process runs is returned as it stands.
        """
        build_id = self.get(build_id).id
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()

        def on_job_finished(done_id: str, _state: str) -> None:
            if done_id == build_id and not ended.done():
                ended.set_result(None)

        conn = self.runner.job_finished.connect(on_job_finished)  # before looking: an end between is not missed
        try:
            while (info := self._ended_here(build_id)) is None:
                await ended
                ended = loop.create_future()
            return info
        finally:
            self.runner.job_finished.disconnect(conn)

    def _owner_pid(self, build_id: str) -> int:
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(BuildRecord, build_id)
            return int((rec.options or {}).get("pid", 0)) if rec is not None else 0

    # -- stats and ETA ------------------------------------------------------------------------------
    def past_durations(self, template_id: str, platform: str) -> list[float]:
        def load() -> list[float]:
            with self.ctx.new_uow() as uow:
                rows = uow.session.execute(
                    select(BuildRecord.duration_s).where(
                        BuildRecord.template_id == template_id, BuildRecord.platform == platform,
                        outcome_sql.where(SUCCEEDED), BuildRecord.duration_s.is_not(None))
                    .order_by(BuildRecord.created_at.desc()).limit(10)).all()
                return [float(r[0] or 0.0) for r in reversed(rows)]

        return self.cached(("durations", template_id, platform), load)

    def eta(self, info: BuildInfo, now: datetime | None = None, *, percent: float | None = None) -> tuple[float, float | None]:
        """(elapsed, eta) in seconds: the ETA is None when unknown, 0 once the build is finished."""
        from app.builds.progress import build_times

        return build_times(info, now or self.ctx.clock(), lambda: self.past_durations(info.template_id, info.platform.value),
                           percent=percent)

    @operation
    def stats(self) -> list[BuildStats]:
        return self._stats(None)

    def _stats(self, template_ids: list[str] | None) -> list[BuildStats]:
        from services.builds.stats import build_stats

        return build_stats(self.ctx, template_ids)

    def template_stats(self, template_ids: list[str]) -> dict[str, TemplateFigures]:
        from services.builds.stats import template_build_stats

        return template_build_stats(self.ctx, template_ids)

    def count(self) -> int:
        with self.ctx.new_uow() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(BuildRecord)) or 0)

    def health(self) -> Health:
        return toolchain_health(len(self._runner.running_ids()) if self._runner else 0)
