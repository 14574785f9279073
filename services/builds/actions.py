"""The builds area's workflow actions: build, sign (verify), deploy / undeploy, remove artifacts."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.builds.outcome import SIGNED, SUCCEEDED
from app.errors import ConflictError, ToolError, UserError
from services.actions import ActionContext, ActionRegistry, Param

if TYPE_CHECKING:
    from services.builds.service import BuildsService

CANCEL_GRACE_S = 15.0


def register_actions(registry: ActionRegistry, builds: Callable[[], BuildsService]) -> None:
    """``builds()`` gives the service when an action runs (the area is built on first use)."""

    @registry.action(
        "builds.build",
        Param("template_id", str), Param("version", str), Param("platform", str, required=False, default="apk"),
        Param("key_alias", str, required=False),
        idempotent=False, area="builds",
        description="Build (and sign) a template with the Android toolchain; cancel stops the build process",
    )
    async def build(actx: ActionContext, template_id: str, version: str, platform: str = "apk",
                    key_alias: str | None = None) -> dict[str, Any]:
        svc = builds()
        info = svc.start_build(template_id, version, platform, key_alias=key_alias)
        build_id = info.id
        actx.remember(build_id=build_id)  # its undo (remove_artifacts) needs it, even if the run dies now

        def stop() -> None:
            with contextlib.suppress(ConflictError):  # already final
                svc.cancel(build_id)

        actx.on_cancel(stop)
        ending = asyncio.ensure_future(svc.finished(build_id))  # the job's end signal, not a poll
        try:
            info = await asyncio.shield(ending)
        except asyncio.CancelledError:
            # the cancel hook asked the builds service to kill the process group; wait (bounded)
            # until the build records its final state, so the run ends after the build does
            stop()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(ending, CANCEL_GRACE_S)
            raise
        if not SUCCEEDED(info):
            raise ToolError(f"build {build_id} {info.state.value}: {info.error or 'see its log'}")
        return {"build_id": build_id, "state": info.state.value, "artifact": info.artifact_path,
                "fingerprint": info.fingerprint, "version_code": info.version_code,
                "key_alias": info.key_alias}  # the key the build chose (given, or the default)

    @registry.action(
        "builds.sign", Param("build_id", str), Param("key_alias", str, required=False), idempotent=True, area="builds",
        description="Check the build is signed and verify its artifact's signature (signing happens in the build)",
    )
    def sign(actx: ActionContext, build_id: str, key_alias: str | None = None) -> dict[str, Any]:
        svc = builds()
        info = svc.get(build_id)
        if not SIGNED(info) or not info.artifact_path:
            raise UserError(f"build {build_id} is {info.state.value}, not signed")
        if key_alias and info.key_alias and key_alias != info.key_alias:
            raise UserError(f"build {build_id} was signed with key {info.key_alias!r}, not {key_alias!r}")
        fingerprint = svc.verify_artifact(Path(info.artifact_path))
        return {"build_id": build_id, "fingerprint": fingerprint, "artifact": info.artifact_path}

    @registry.action(
        "builds.deploy", Param("build_id", str), Param("target", str), idempotent=True, area="builds",
        description="Deploy a signed build (folder:DIR, adb, play:TRACK)",
    )
    def deploy(actx: ActionContext, build_id: str, target: str) -> dict[str, Any]:
        return dict(builds().deploy(build_id, target).to_json())

    @registry.action(
        "builds.undeploy", Param("build_id", str), Param("target", str), idempotent=True, area="builds",
        description="Remove what a folder deploy copied (compensation of deploy; other targets are reported)",
    )
    def undeploy(actx: ActionContext, build_id: str, target: str) -> dict[str, Any]:
        if not target.startswith("folder:"):
            raise UserError(f"cannot undo a deploy to {target}; remove it there by hand")
        info = builds().get(build_id)
        removed: list[str] = []
        folder = Path(target.split(":", 1)[1]).expanduser().resolve()
        for dep in info.deployments:
            loc = dep.get("location")
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

    @registry.action(
        "builds.remove_artifacts", Param("build_id", str), idempotent=True, area="builds",
        description="Delete the build's output files (compensation of build)",
    )
    def remove_artifacts(actx: ActionContext, build_id: str) -> dict[str, Any]:
        svc = builds()
        info = svc.get(build_id)
        out = svc.builds_dir / info.id / "out"
        existed = out.is_dir()
        shutil.rmtree(out, ignore_errors=True)
        return {"build_id": info.id, "removed": existed}
