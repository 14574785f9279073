"""Actions backed by the other areas' services, registered only when those services exist.

Areas land independently; an area that is not in ``manager.extra`` (or whose service lacks a
method an action needs) contributes no actions, and definitions that need them are listed as
not runnable. Nothing here pretends to work without the real service.

The services are used through their public methods only (typed ``Any`` here so this module
does not import other areas).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import ConflictError, NotFoundError, ToolError, UserError
from app.store.derive import derived_manifest
from services.workflows.actions import ActionContext, ActionRegistry, Param

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

AREAS = ("trends", "templates", "builds", "payments")
BUILD_POLL = 0.25


def _has(svc: Any, *methods: str) -> bool:
    return svc is not None and all(callable(getattr(svc, m, None)) for m in methods)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "app")[:40].strip("-")


def _state(info: Any) -> str:
    state = getattr(info, "state", "")
    return str(getattr(state, "value", state))


def register_area_actions(registry: ActionRegistry, manager: ServiceManager) -> tuple[dict[str, list[str]], list[str]]:
    """Returns (actions registered per area, areas absent or without the needed methods)."""
    registered: dict[str, list[str]] = {}
    missing: list[str] = []
    for area, fn in (("trends", _trends), ("templates", _templates), ("builds", _builds), ("payments", _payments)):
        svc = manager.extra.get(area)
        names = fn(registry, svc) if svc is not None else []
        if names:
            registered[area] = names
        else:
            missing.append(area)
    return registered, missing


# -- trends ----------------------------------------------------------------------------------------
def _trends(registry: ActionRegistry, svc: Any) -> list[str]:
    names: list[str] = []
    if _has(svc, "pick"):

        @registry.action(
            "trends.pick", Param("min_score", float, required=False, default=0.0), Param("trend_id", str, required=False),
            idempotent=True, area="trends", description="Pick the best emerging trend (or the given one)",
        )
        def pick(actx: ActionContext, min_score: float = 0.0, trend_id: str | None = None) -> dict[str, Any]:
            return dict(svc.pick(min_score=min_score, trend_id=trend_id))

        names.append("trends.pick")
    if _has(svc, "sync"):

        @registry.action(
            "trends.sync", Param("source", str, required=False), idempotent=True, area="trends",
            description="Pull fresh trends from one source (or all)",
        )
        async def sync(actx: ActionContext, source: str | None = None) -> dict[str, Any]:
            report = await svc.sync(source)
            return dict(report.to_dict()) if hasattr(report, "to_dict") else {"report": str(report)}

        names.append("trends.sync")
    return names


# -- templates ---------------------------------------------------------------------------------------
def _templates(registry: ActionRegistry, svc: Any) -> list[str]:
    names: list[str] = []
    if _has(svc, "get", "exists", "export", "import_path"):

        @registry.action(
            "templates.create_from_base",
            Param("base_id", str), Param("title", str), Param("trend_id", str, required=False),
            Param("template_id", str, required=False, description="id of the new template (default: from the title and run)"),
            idempotent=True, area="templates",
            description="Copy a base template (content and Android resources) under a new id and title",
        )
        def create_from_base(actx: ActionContext, base_id: str, title: str, trend_id: str | None = None,
                             template_id: str | None = None) -> dict[str, Any]:
            # the id is derived from the run, so running this step again finds its own template
            new_id = template_id or f"{_slug(title)}-{actx.run_id[:6]}"
            actx.remember(template_id=new_id)  # its undo (archive) needs it, even if the run dies mid-import
            if svc.exists(new_id):
                return {"template_id": new_id, "title": title, "base_id": base_id, "created": False}
            svc.get(base_id)  # a clear NotFoundError if the base is unknown
            with tempfile.TemporaryDirectory(prefix="tf-wf-") as tmp:
                archive = Path(svc.export(base_id, Path(tmp) / "base.zip"))
                folder = Path(tmp) / "pkg"
                with zipfile.ZipFile(archive) as zf:
                    zf.extractall(folder)  # our own export of a stored template
                roots = [p for p in folder.rglob("template.json")]
                if not roots:
                    raise UserError(f"base template {base_id!r} has no template.json in its export")
                manifest_path = min(roots, key=lambda p: len(p.parts))
                # its own app: own name, application id and a recoloured icon
                manifest = derived_manifest(json.loads(manifest_path.read_text(encoding="utf-8")), new_id, title)
                if trend_id:
                    tags = [t for t in manifest.get("tags", []) if isinstance(t, str)]
                    manifest["tags"] = [*tags, "trend"] if "trend" not in tags else tags
                manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
                result = svc.import_path(manifest_path.parent)
                error = getattr(result, "error", None)
                if error:
                    raise UserError(f"could not create template {new_id!r} from {base_id!r}: {error}")
            return {"template_id": new_id, "title": title, "base_id": base_id, "created": True}

        names.append("templates.create_from_base")
    if _has(svc, "archive", "get"):

        @registry.action(
            "templates.archive", Param("template_id", str), idempotent=True, area="templates",
            description="Archive a template (compensation of create_from_base)",
        )
        def archive(actx: ActionContext, template_id: str) -> dict[str, Any]:
            try:
                svc.archive(template_id)
            except NotFoundError:
                return {"template_id": template_id, "archived": False, "note": "no such template"}
            except UserError as exc:
                if "already archived" not in str(exc):
                    raise
            return {"template_id": template_id, "archived": True}

        names.append("templates.archive")
    return names


# -- builds ------------------------------------------------------------------------------------------
def _builds(registry: ActionRegistry, svc: Any) -> list[str]:
    names: list[str] = []
    if _has(svc, "start_build", "get", "cancel"):

        @registry.action(
            "builds.build",
            Param("template_id", str), Param("version", str), Param("platform", str, required=False, default="apk"),
            Param("key_alias", str, required=False),
            idempotent=False, area="builds",
            description="Build (and sign) a template with the Android toolchain; cancel stops the build process",
        )
        async def build(actx: ActionContext, template_id: str, version: str, platform: str = "apk",
                        key_alias: str | None = None) -> dict[str, Any]:
            info = svc.start_build(template_id, version, platform, key_alias=key_alias)
            build_id = info.id
            actx.remember(build_id=build_id)  # its undo (remove_artifacts) needs it, even if the run dies now

            def stop() -> None:
                with contextlib.suppress(ConflictError):  # already final
                    svc.cancel(build_id)

            actx.on_cancel(stop)
            try:
                while True:
                    info = svc.get(build_id)
                    state = _state(info)
                    if state in ("signed", "deployed", "failed", "cancelled") or (state == "built" and platform == "web" and info.finished_at):
                        break
                    await asyncio.sleep(BUILD_POLL)
            except asyncio.CancelledError:
                # the cancel hook asked the builds service to kill the process group; wait (bounded)
                # until the build records its final state, so the run ends after the build does
                stop()
                deadline = asyncio.get_running_loop().time() + 15
                while _state(svc.get(build_id)) not in ("signed", "deployed", "failed", "cancelled"):
                    if asyncio.get_running_loop().time() > deadline:
                        break
                    await asyncio.sleep(BUILD_POLL)
                raise
            if state in ("failed", "cancelled"):
                raise ToolError(f"build {build_id} {state}: {info.error or 'see its log'}")
            return {"build_id": build_id, "state": state, "artifact": info.artifact_path,
                    "fingerprint": info.fingerprint, "version_code": info.version_code,
                    "key_alias": info.key_alias}  # the key the build chose (given, or the default)

        names.append("builds.build")
    if _has(svc, "get", "verify_artifact"):

        @registry.action(
            "builds.sign", Param("build_id", str), Param("key_alias", str, required=False), idempotent=True, area="builds",
            description="Check the build is signed and verify its artifact's signature (signing happens in the build)",
        )
        def sign(actx: ActionContext, build_id: str, key_alias: str | None = None) -> dict[str, Any]:
            info = svc.get(build_id)
            if _state(info) not in ("signed", "deployed") or not info.artifact_path:
                raise UserError(f"build {build_id} is {_state(info)}, not signed")
            if key_alias and info.key_alias and key_alias != info.key_alias:
                raise UserError(f"build {build_id} was signed with key {info.key_alias!r}, not {key_alias!r}")
            fingerprint = svc.verify_artifact(Path(info.artifact_path))
            return {"build_id": build_id, "fingerprint": fingerprint, "artifact": info.artifact_path}

        names.append("builds.sign")
    if _has(svc, "deploy", "get"):

        @registry.action(
            "builds.deploy", Param("build_id", str), Param("target", str), idempotent=True, area="builds",
            description="Deploy a signed build (folder:DIR, adb, play:TRACK)",
        )
        def deploy(actx: ActionContext, build_id: str, target: str) -> dict[str, Any]:
            result = svc.deploy(build_id, target)
            return dict(result) if isinstance(result, dict) else {"result": str(result)}

        @registry.action(
            "builds.undeploy", Param("build_id", str), Param("target", str), idempotent=True, area="builds",
            description="Remove what a folder deploy copied (compensation of deploy; other targets are reported)",
        )
        def undeploy(actx: ActionContext, build_id: str, target: str) -> dict[str, Any]:
            if not target.startswith("folder:"):
                raise UserError(f"cannot undo a deploy to {target}; remove it there by hand")
            info = svc.get(build_id)
            removed = []
            folder = Path(target.split(":", 1)[1]).expanduser().resolve()
            for dep in getattr(info, "deployments", []) or []:
                loc = dep.get("location") if isinstance(dep, dict) else None
                if dep.get("ok") and loc:
                    path = Path(loc).expanduser().resolve()
                    if folder not in path.parents:
                        continue
                    # the artifact and the sidecars a folder deploy writes beside it
                    for p in (path, path.with_name(path.name + ".sha256"), path.with_name(path.name + ".json")):
                        if p.is_file():
                            p.unlink()
                            removed.append(str(p))
            return {"removed": removed}

        names += ["builds.deploy", "builds.undeploy"]
    if _has(svc, "get") and isinstance(getattr(svc, "builds_dir", None), Path):

        @registry.action(
            "builds.remove_artifacts", Param("build_id", str), idempotent=True, area="builds",
            description="Delete the build's output files (compensation of build)",
        )
        def remove_artifacts(actx: ActionContext, build_id: str) -> dict[str, Any]:
            info = svc.get(build_id)
            out = Path(svc.builds_dir) / info.id / "out"
            existed = out.is_dir()
            shutil.rmtree(out, ignore_errors=True)
            return {"build_id": info.id, "removed": existed}

        names.append("builds.remove_artifacts")
    return names


# -- payments -----------------------------------------------------------------------------------------
def _payments(registry: ActionRegistry, svc: Any) -> list[str]:
    names: list[str] = []
    if _has(svc, "charge_async"):

        @registry.action(
            "payments.charge",
            Param("provider", str), Param("amount", str, description="e.g. 9.99"), Param("currency", str),
            Param("template_id", str, required=False), Param("payment_method", str, required=False),
            idempotent=False, area="payments", description="Charge a customer (compensate with payments.refund)",
        )
        async def charge(actx: ActionContext, provider: str, amount: str, currency: str, template_id: str | None = None,
                         payment_method: str | None = None) -> dict[str, Any]:
            txn = await svc.charge_async(provider, template_id, amount, currency, payment_method)
            return _txn(txn)

        names.append("payments.charge")
    if _has(svc, "refund_async"):

        @registry.action(
            "payments.refund", Param("txn_id", str), Param("amount", str, required=False),
            idempotent=False, area="payments", description="Refund a transaction (all of it, or an amount)",
        )
        async def refund(actx: ActionContext, txn_id: str, amount: str | None = None) -> dict[str, Any]:
            result = await svc.refund_async(txn_id, amount)
            return _txn(result)

        names.append("payments.refund")
    if _has(svc, "link_product"):

        @registry.action(
            "payments.link_product", Param("provider", str), Param("product_id", str), Param("template_id", str),
            idempotent=True, area="payments", description="Link a provider's product to a template (for revenue per template)",
        )
        def link_product(actx: ActionContext, provider: str, product_id: str, template_id: str) -> dict[str, Any]:
            svc.link_product(provider, product_id, template_id)
            return {"provider": provider, "product_id": product_id, "template_id": template_id}

        names.append("payments.link_product")
    return names


def _txn(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "to_dict"):
        return dict(obj.to_dict())
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return {k: v for k, v in dataclasses.asdict(obj).items() if isinstance(v, str | int | float | bool | type(None))}
    return {"result": str(obj)}
