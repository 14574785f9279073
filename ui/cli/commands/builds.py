"""CLI of the builds area: ``keys create|import|list``, ``build ...``, ``builds list|show|stats|cancel|retry|deploy``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.builds.model import KEY_BACKUP_WHY, BuildInfo, BuildState, Platform
from app.builds.outcome import DEPLOYED, FINISHED, SUCCEEDED
from app.builds.progress import format_seconds
from app.errors import UserError
from app.store.check import ReleaseCheckError
from app.terminal import terminal_safe
from ui.cli.commands.templates import print_problems
from ui.cli.context import CliContext
from ui.cli.loop import run_on_loop

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from services.builds.service import BuildsService


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    # keys
    p = sub.add_parser("keys", parents=[parent], help="signing keys (keystores; passwords only in the keyring)")
    ksub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = ksub.add_parser("create", parents=[parent], help="create a PKCS12 keystore with an RSA 2048 key")
    s.add_argument("alias")
    s.add_argument("--dname", help='distinguished name, e.g. "CN=Jane Doe, O=Indie, C=US"')
    s.add_argument("--password-stdin", action="store_true",
                   help="read the keystore password from stdin (default: generate a strong one)")
    s.set_defaults(func=cmd_keys_create)
    s = ksub.add_parser("import", parents=[parent], help="import an existing keystore (password on stdin)")
    s.add_argument("alias")
    s.add_argument("keystore_file")
    s.add_argument("--key-alias", help="the key entry to sign with (default: the first private key)")
    s.set_defaults(func=cmd_keys_import)
    s = ksub.add_parser("list", parents=[parent], help="keys with their certificate SHA-256 fingerprints")
    s.set_defaults(func=cmd_keys_list)
    s = ksub.add_parser("export", parents=[parent], help="copy a keystore out for a backup (password stays in the keyring)")
    s.add_argument("alias")
    s.add_argument("dest", help="a new file, or a folder to put ALIAS.p12 in")
    s.add_argument("--show-password", action="store_true",
                   help="also print the keystore password (only on a terminal, never into a pipe or file)")
    s.set_defaults(func=cmd_keys_export)

    # build
    p = sub.add_parser("build", parents=[parent], help="build a template into a signed APK/AAB or a web bundle")
    p.add_argument("template_id")
    p.add_argument("--version", required=True, help="semantic version X.Y.Z (versionCode is derived, always rising)")
    p.add_argument("--platform", default="apk", choices=[x.value for x in Platform])
    p.add_argument("--key", help="signing key alias (default: the only key, or setting builds.default_key)")
    p.add_argument("--deploy", help="folder:DIR | adb | play:TRACK[:draft|completed|inProgress|halted]")
    p.add_argument("--dry-run", action="store_true",
                   help="with play: build and validate the edit, do not commit; otherwise: say what would happen, build nothing")
    p.add_argument("--rollout", type=float, metavar="F",
                   help="with play: a staged rollout to this fraction of users, e.g. 0.1 (status inProgress)")
    p.add_argument("--notes-file", metavar="F",
                   help="with play: release notes, a text file (en-US) or JSON of language -> text (500 chars each)")
    p.add_argument("--expect-fingerprint", help="refuse to deploy unless signed by this SHA-256 certificate")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait for the build")
    p.set_defaults(func=cmd_build)

    # builds
    p = sub.add_parser("builds", parents=[parent], help="build queue and history")
    bsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = bsub.add_parser("list", parents=[parent], help="builds, newest first")
    s.add_argument("--template")
    s.add_argument("--state", choices=[x.value for x in BuildState])
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_list)
    s = bsub.add_parser("show", parents=[parent], help="one build, with the end of its log")
    s.add_argument("build_id")
    s.add_argument("--log", type=int, default=20, metavar="N", help="show the last N log lines (0: none)")
    s.set_defaults(func=cmd_show)
    s = bsub.add_parser("stats", parents=[parent], help="success rate, mean and p95 duration per template and platform")
    s.set_defaults(func=cmd_stats)
    s = bsub.add_parser("cancel", parents=[parent], help="cancel a queued or running build")
    s.add_argument("build_id")
    s.set_defaults(func=cmd_cancel)
    s = bsub.add_parser("retry", parents=[parent], help="re-run a failed or cancelled build and wait for it")
    s.add_argument("build_id")
    s.add_argument("--timeout", type=float, default=1800.0)
    s.set_defaults(func=cmd_retry)
    s = bsub.add_parser("deploy", parents=[parent], help="deploy a signed build")
    s.add_argument("build_id")
    s.add_argument("target", help="folder:DIR | adb | play:TRACK[:STATUS]")
    s.add_argument("--dry-run", action="store_true")
    s.set_defaults(func=cmd_deploy)


def _svc(ctx: CliContext) -> BuildsService:
    return ctx.services.builds


def _read_secret(ctx: CliContext, what: str) -> str:
    if ctx.stdin.isatty():
        import getpass

        return getpass.getpass(f"{what}: ")
    return ctx.stdin.readline().rstrip("\r\n")


# -- keys ------------------------------------------------------------------------------------------
def cmd_keys_create(ctx: CliContext) -> int:
    password = _read_secret(ctx, "keystore password") if ctx.args.password_stdin else None
    if ctx.args.password_stdin and not password:
        raise UserError("no password on stdin; pipe one in, or leave out --password-stdin to generate one")
    key = _svc(ctx).create_key(ctx.args.alias, dname=ctx.args.dname, password=password)
    ctx.emit(key.to_dict(), lambda: ctx.print(
        f"created key {key.alias}\n  certificate SHA-256: {key.fingerprint_sha256}\n  subject: {key.subject}\n"
        f"  keystore: {key.keystore_path}\n  password: in the OS keyring (service trendforge, entry {key.keyring_entry})"))
    ctx.note(backup_advice(key.alias))
    return 0


def backup_advice(alias: str) -> str:
    return f"Back up this key now ({KEY_BACKUP_WHY}): trendforge keys export {alias} DEST"


def _password_recovery(entry: str, alias: str) -> str:
    return (f"The password is not in the file: it stays in the OS keyring (service trendforge, entry {entry}). "
            f"To see it, run on a terminal: trendforge keys export {alias} DEST --show-password "
            f"(on Linux also, with libsecret-tools: secret-tool lookup service trendforge username {entry})")


def cmd_keys_export(ctx: CliContext) -> int:
    if ctx.args.show_password and not (ctx.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("--show-password prints the password only on a terminal, never into a pipe or file; "
                        "run it in a terminal, or leave the flag out")
    exported = _svc(ctx).export_key(ctx.args.alias, Path(ctx.args.dest))
    ctx.emit(exported.to_dict(), lambda: ctx.print(
        f"exported key {exported.alias} to {exported.path}\n  certificate SHA-256: {exported.fingerprint_sha256}"))
    ctx.note(_password_recovery(exported.keyring_entry, exported.alias))
    if ctx.args.show_password:
        sys.stdout.write(f"keystore password: {_svc(ctx).key_password(exported.alias)}\n")
        sys.stdout.flush()
    return 0


def cmd_keys_import(ctx: CliContext) -> int:
    password = _read_secret(ctx, "keystore password")
    if not password:
        raise UserError("no keystore password on stdin; pipe it in, e.g. `printf %s \"$PASS\" | trendforge keys import ...`")
    key = _svc(ctx).import_key(ctx.args.alias, ctx.args.keystore_file, password, key_alias=ctx.args.key_alias)
    ctx.emit(key.to_dict(), lambda: ctx.print(f"imported key {key.alias}\n  certificate SHA-256: {key.fingerprint_sha256}"))
    return 0


def cmd_keys_list(ctx: CliContext) -> int:
    rows = [k.to_dict() for k in _svc(ctx).list_keys()]
    ctx.emit(rows, lambda: ctx.table(rows, ["alias", "fingerprint_sha256", "subject", "created_at"]))
    return 0


# -- build -----------------------------------------------------------------------------------------
def _qt_app() -> QCoreApplication:
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    return app if app is not None else QCoreApplication([sys.argv[0]])


def _outcome(ctx: CliContext, info: BuildInfo) -> int:
    data = info.to_dict()
    ok = SUCCEEDED(info)
    deploy_failed = info.deploy_target is not None and not DEPLOYED(info) and ok

    def human() -> None:
        ctx.print(f"build {info.id} {info.state.value}: {info.template_id} {info.version_name} "
                  f"(versionCode {info.version_code}, {info.platform.value}) in {format_seconds(info.duration_s)}")
        if info.artifact_path:
            ctx.print(f"  artifact: {info.artifact_path}")
        if info.fingerprint:
            ctx.print(f"  certificate SHA-256: {info.fingerprint}")
        for d in info.deployments:
            status = "ok" if d["ok"] else "FAILED"
            dry = " (dry run: validated, not committed)" if d["dry_run"] and "dry run" not in d["location"] else ""
            ctx.print(f"  deploy {d['target']}: {status}{dry}"
                      f" {d['location'] or d['detail']}")
        ctx.print(f"  log: {info.log_path}")

    ctx.emit(data, human)
    if not ok:
        raise UserError(f"build {info.id} {info.state.value}: {info.error or 'no reason recorded'}")
    if deploy_failed:
        raise UserError(f"build {info.id} is signed but the deployment failed: {info.error}")
    return 0


def _wait_with_progress(ctx: CliContext, svc: BuildsService, info: BuildInfo, timeout: float) -> BuildInfo:
    def on_progress(build_id: str, step: str, percent: float) -> None:
        if build_id == info.id and not ctx.json:
            sys.stderr.write(terminal_safe(f"[{percent:5.1f}%] {step}", one_line=True) + "\n")

    last: dict[str, Any] = {"step": None}

    def dedupe(build_id: str, step: str, percent: float) -> None:
        if step != last["step"]:
            last["step"] = step
            on_progress(build_id, step, percent)

    async def until_finished() -> BuildInfo:
        conn = svc.runner.progressed.connect(dedupe)
        try:
            try:
                return await asyncio.wait_for(svc.finished(info.id), timeout)
            finally:
                svc.runner.progressed.disconnect(conn)
        except TimeoutError:
            await svc.stop()  # cancelled, and its end recorded, while the loop still runs
            raise UserError(f"build {info.id} did not finish within {timeout:.0f}s") from None

    return run_on_loop(until_finished)


def cmd_build(ctx: CliContext) -> int:
    a = ctx.args
    svc = _svc(ctx)
    if svc.previews(a.dry_run, a.deploy):
        preview = svc.preview_build(a.template_id, a.version, a.platform, key_alias=a.key, deploy=a.deploy)

        def human() -> None:
            ctx.print(f"dry run: {preview.describe()}")
            ctx.print(f"steps: {' -> '.join(preview.steps)}")
            ctx.print("nothing was built and no versionCode was spent")

        ctx.emit(preview.to_dict(), human)
        return 0
    _qt_app()
    from services.releases.listing_files import load_notes

    notes = load_notes(Path(a.notes_file)) if a.notes_file else None
    try:
        info = svc.start_build(a.template_id, a.version, a.platform, key_alias=a.key, deploy=a.deploy,
                               dry_run=a.dry_run, expected_fingerprint=a.expect_fingerprint,
                               rollout=a.rollout, notes=notes)
    except ReleaseCheckError as exc:
        print_problems(exc.report, sys.stderr)  # every problem, one line each; nothing was spent
        raise
    warnings = svc.last_release_warnings(info.id)
    if warnings and not ctx.json:
        for problem in warnings:
            sys.stderr.write(problem.line() + "\n")
    if not ctx.json:
        sys.stderr.write(f"build {info.id} queued: {info.template_id} {info.version_name} "
                         f"versionCode {info.version_code} ({info.platform.value}, {info.backend.value})\n")
    return _outcome(ctx, _wait_with_progress(ctx, svc, info, a.timeout))


def cmd_retry(ctx: CliContext) -> int:
    _qt_app()
    svc = _svc(ctx)
    info = svc.retry(ctx.args.build_id)
    return _outcome(ctx, _wait_with_progress(ctx, svc, info, ctx.args.timeout))


# -- builds ----------------------------------------------------------------------------------------
def cmd_list(ctx: CliContext) -> int:
    a = ctx.args
    rows = [b.to_dict() for b in _svc(ctx).list_builds(limit=a.limit, template_id=a.template, state=a.state)]
    ctx.emit(rows, lambda: ctx.table(
        [{**r, "id": r["id"][:12], "duration": format_seconds(r["duration_s"])} for r in rows],
        ["id", "template_id", "platform", "version_name", "version_code", "state", "step", "duration", "created_at"]))
    return 0


def cmd_show(ctx: CliContext) -> int:
    svc = _svc(ctx)
    info = svc.get(ctx.args.build_id)
    data = info.to_dict()
    tail = svc.log_tail(info.id, ctx.args.log) if ctx.args.log > 0 else []
    data["log_tail"] = tail

    def human() -> None:
        for key in ("id", "template_id", "application_id", "platform", "backend", "version_name", "version_code",
                    "state", "step", "percent", "key_alias", "deploy_target", "created_at", "started_at",
                    "finished_at", "duration_s", "artifact_path", "fingerprint", "error", "log_path", "retry_of"):
            if data.get(key) is not None:
                ctx.print(f"{key:15} {data[key]}")
        for d in info.deployments:
            ctx.print(f"deployment      {d['target']} {'ok' if d['ok'] else 'FAILED'} {d['location'] or d['detail']}")
        if tail:
            ctx.print("-- log (last lines) --")
            for line in tail:
                ctx.print(line)

    ctx.emit(data, human)
    return 0


def cmd_stats(ctx: CliContext) -> int:
    rows = [s.to_dict() for s in _svc(ctx).stats()]
    ctx.emit(rows, lambda: ctx.table(
        [{**r, "success_rate": "-" if r["success_rate"] is None else f"{100 * r['success_rate']:.0f}%",
          "mean": format_seconds(r["mean_s"]), "p95": format_seconds(r["p95_s"])} for r in rows],
        ["template_id", "platform", "builds", "succeeded", "failed", "cancelled", "success_rate", "mean", "p95"]))
    return 0


def cmd_cancel(ctx: CliContext) -> int:
    info = _svc(ctx).cancel(ctx.args.build_id)
    data = info.to_dict()
    requested = not FINISHED(info)
    data["cancel_requested"] = requested
    ctx.emit(data, lambda: ctx.print(
        f"cancel requested for build {info.id} (it runs in another TrendForge process)" if requested
        else f"build {info.id} {info.state.value}"))
    return 0


def cmd_deploy(ctx: CliContext) -> int:
    result = _svc(ctx).deploy(ctx.args.build_id, ctx.args.target, dry_run=ctx.args.dry_run)
    ctx.emit(result.to_json(), lambda: ctx.print(
        ("dry run (validated, NOT committed): " if result.dry_run else "deployed: ") + result.location))
    return 0
