"""Build plans: generators that yield steps (tool runs, quick Python steps, state marks).

A plan receives each step's result through ``send``, so later steps can use earlier output
(e.g. the verified certificate fingerprint). The job in ``runner.py`` drives it on the Qt loop.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.builds.deployment import DeployResult
from app.builds.model import Backend, BuildState, Platform
from app.builds.progress import StepPlan, plan_steps
from app.errors import ToolError, UserError
from app.remedies import CreateKey
from services.builds import packaging
from services.builds.templates_port import BuildTemplate
from services.builds.tools import ToolResult, framework_res

PASS_VAR = "TRENDFORGE_KS_PASS"


@dataclass
class ToolStep:
    step: str
    tool: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    program: str | None = None  # an explicit path (a Gradle wrapper) instead of a PATH lookup
    gradle: bool = False

    def describe(self) -> str:
        return " ".join([self.program or self.tool, *self.args])


@dataclass
class PyStep:
    step: str
    fn: Callable[[], Any]
    thread: bool = True  # file and network work runs off the Qt thread; False only for trivial steps


@dataclass
class Mark:
    state: BuildState
    artifact: Path | None = None
    fingerprint: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    deployed: DeployResult | None = None  # the DEPLOYED mark's report

    @property
    def where(self) -> str:
        """What the log names for this state: the artifact, or where a deploy put it (not its source)."""
        if self.state is BuildState.DEPLOYED:
            return self.deployed.location if self.deployed else ""
        return str(self.artifact) if self.artifact else ""


Step = ToolStep | PyStep | Mark
Plan = Generator[Step, Any, None]


@dataclass(frozen=True)
class SigningKey:
    alias: str
    keystore: Path
    key_alias: str
    password: str = field(repr=False)
    fingerprint: str


@dataclass
class BuildSpec:
    build_id: str
    template: BuildTemplate
    package_dir: Path
    platform: Platform
    backend: Backend
    version_name: str
    version_code: int
    application_id: str
    app_name: str
    workdir: Path
    outdir: Path
    key: SigningKey | None
    deployer: Callable[[Path, str], DeployResult] | None = None  # (artifact, fingerprint) -> result
    # environment from the toolchain settings (PATH, JAVA_HOME, ANDROID_HOME) for every tool of this build
    toolchain_env: dict[str, str] = field(default_factory=dict)
    # (correlation id, causation id) of what started the build (a workflow run): every event the
    # job's hooks and threads record carries it, though they run later, on other threads
    correlation: tuple[str, str | None] | None = None

    def step_plan(self) -> StepPlan:
        return plan_steps(self.backend, self.platform, deploy=self.deployer is not None)

    @property
    def artifact_name(self) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.application_id)
        return f"{safe}-{self.version_name}-{self.version_code}{self.platform.extension}"


def gradle_project(package_dir: Path) -> Path | None:
    """A template package with ``android/gradlew`` is a real Gradle project."""
    project = package_dir / "android"
    wrapper = project / ("gradlew.bat" if os.name == "nt" else "gradlew")
    return project if wrapper.is_file() else None


# -- parsing tool reports -----------------------------------------------------------------
_APKSIGNER_FP = re.compile(r"^Signer #1 certificate SHA-256 digest:\s*([0-9a-fA-F]{64})\s*$")
_SCHEME = re.compile(r"^Verified using v(\d) scheme.*:\s*(true|false)\s*$")
_KEYTOOL_FP = re.compile(r"^\s*SHA256:\s*([0-9A-Fa-f:]{95})\s*$")


def parse_apksigner_verify(lines: list[str]) -> tuple[str, dict[int, bool]]:
    fingerprint = ""
    schemes: dict[int, bool] = {}
    verifies = False
    for line in lines:
        s = line.strip()
        if s == "Verifies":
            verifies = True
        m = _APKSIGNER_FP.match(s)
        if m and not fingerprint:
            fingerprint = m[1].lower()
        m = _SCHEME.match(s)
        if m:
            schemes[int(m[1])] = m[2] == "true"
    if not verifies or not fingerprint:
        raise ToolError("apksigner verify did not confirm the signature: " + " | ".join(lines[-5:]))
    return fingerprint, schemes


def parse_keytool_fingerprint(lines: list[str]) -> str:
    for line in lines:
        m = _KEYTOOL_FP.match(line)
        if m:
            return m[1].replace(":", "").lower()
    raise ToolError("keytool printed no SHA-256 certificate fingerprint: " + " | ".join(lines[-5:]))


@dataclass(frozen=True)
class Verified:
    """A signed artifact's certificate SHA-256 and the signature schemes it verified with."""

    fingerprint: str
    schemes: dict[int, bool]


def verify_steps(artifact: Path) -> Generator[ToolStep, ToolResult, Verified]:
    """The one signature check of an APK (aligned, v2 scheme) or AAB (jar-signed), as tool steps:
    the build pipeline yields them to its QProcess runner, ``BuildsService.verify_artifact`` runs
    them to completion before a later deploy. A web bundle has no signature (empty fingerprint)."""
    if artifact.suffix == ".apk":
        result = yield ToolStep("verify", "zipalign", ["-c", "-p", "4", str(artifact)])
        _require_ok(result, f"zipalign -c ({artifact.name} is not aligned)")
        result = yield ToolStep("verify", "apksigner", ["verify", "--verbose", "--print-certs", str(artifact)])
        fingerprint, schemes = parse_apksigner_verify(result.lines)
        if not schemes.get(2):
            raise ToolError(f"{artifact.name} is not signed with APK Signature Scheme v2")
        return Verified(fingerprint, schemes)
    if artifact.suffix == ".aab":
        result = yield ToolStep("verify", "jarsigner", ["-verify", str(artifact)])
        if not any("jar verified" in line for line in result.lines):
            raise ToolError(f"jarsigner -verify did not confirm {artifact.name}: " + result.tail())
        result = yield ToolStep("verify", "keytool", ["-printcert", "-jarfile", str(artifact)])
        return Verified(parse_keytool_fingerprint(result.lines), {1: True})
    return Verified("", {})


def _check_fingerprint(found: str, key: SigningKey) -> str:
    if found != key.fingerprint:
        raise ToolError(
            f"the artifact's certificate {found[:16]}... is not key {key.alias!r} ({key.fingerprint[:16]}...)"
        )
    return found


def _require_ok(result: ToolResult, what: str) -> ToolResult:
    if not result.ok:
        raise ToolError(f"{what} failed: {result.tail()}")
    return result


# -- plans ------------------------------------------------------------------------------------
def plan_for(spec: BuildSpec) -> Plan:
    if spec.platform is Platform.WEB:
        return _web_plan(spec)
    if spec.backend is Backend.GRADLE:
        return _gradle_plan(spec)
    return _direct_plan(spec)


def _sign_and_verify(spec: BuildSpec, unsigned: Path) -> Plan:
    key = spec.key
    if key is None:
        raise UserError("a signing key is required", remedy=CreateKey())
    out = spec.outdir / spec.artifact_name
    env = {PASS_VAR: key.password}
    if spec.platform is Platform.APK:
        yield ToolStep(
            "sign",
            "apksigner",
            ["sign", "--ks", str(key.keystore), "--ks-key-alias", key.key_alias,
             "--ks-pass", f"env:{PASS_VAR}", "--key-pass", f"env:{PASS_VAR}", "--out", str(out), str(unsigned)],
            env=env,
        )
    else:
        yield ToolStep(
            "sign",
            "jarsigner",
            ["-keystore", str(key.keystore), "-storepass:env", PASS_VAR, "-keypass:env", PASS_VAR,
             "-sigalg", "SHA256withRSA", "-digestalg", "SHA-256", "-signedjar", str(out), str(unsigned), key.key_alias],
            env=env,
        )
    verified = yield from verify_steps(out)
    _check_fingerprint(verified.fingerprint, key)
    fingerprint = verified.fingerprint
    digest = yield PyStep("verify", lambda: packaging.sha256_file(out), thread=True)  # recorded with the build
    yield Mark(BuildState.SIGNED, artifact=out, fingerprint=fingerprint,
               detail={"schemes": verified.schemes, "sha256": digest})
    yield from _deploy(spec, out, fingerprint)


def _deploy(spec: BuildSpec, artifact: Path, fingerprint: str) -> Plan:
    if spec.deployer is None:
        return
    deployer = spec.deployer
    result: DeployResult = yield PyStep("deploy", lambda: deployer(artifact, fingerprint), thread=True)
    yield Mark(BuildState.DEPLOYED, artifact=artifact, fingerprint=fingerprint, deployed=result)


def _direct_plan(spec: BuildSpec) -> Plan:
    t = spec.template
    work = spec.workdir
    src: Path = yield PyStep(
        "prepare", lambda: packaging.prepare_android_sources(spec.package_dir, work, spec.app_name, t.content, t.branding)
    )
    fw = framework_res()
    yield ToolStep("compile resources", "aapt2", ["compile", "--dir", str(src / "res"), "-o", str(work / "res.zip")])
    linked = work / ("proto.apk" if spec.platform is Platform.AAB else "base.apk")
    args = ["link", "-I", str(fw), "--manifest", str(src / "AndroidManifest.xml"), "-A", str(src / "assets"),
            "--min-sdk-version", str(t.min_sdk), "--target-sdk-version", str(t.target_sdk),
            "--rename-manifest-package", spec.application_id,
            "--version-code", str(spec.version_code), "--version-name", spec.version_name, "--replace-version"]
    if spec.platform is Platform.AAB:
        args.append("--proto-format")
    yield ToolStep("link", "aapt2", [*args, "-o", str(linked), str(work / "res.zip")])
    dex_files: list[Path] = []
    if (src / "smali").is_dir():
        (work / "dex").mkdir(exist_ok=True)
        dex = work / "dex" / "classes.dex"
        yield ToolStep("assemble dex", "smali", ["assemble", "--api", str(t.min_sdk), "-o", str(dex), str(src / "smali")])
        dex_files.append(dex)
    dex_files.extend(sorted(src.glob("classes*.dex")))
    if not dex_files:
        raise UserError("the template has no app code: add android/smali/ sources or a prebuilt android/classes.dex")
    if spec.platform is Platform.APK:
        names = {("classes.dex" if i == 0 else f"classes{i + 1}.dex"): p for i, p in enumerate(dex_files)}
        yield PyStep("package", lambda: packaging.add_stored(linked, names))
        aligned = work / "aligned.apk"
        yield ToolStep("align", "zipalign", ["-f", "-p", "4", str(linked), str(aligned)])
        yield Mark(BuildState.BUILT, artifact=aligned)
        yield from _sign_and_verify(spec, aligned)
    else:
        bundle = work / "unsigned.aab"
        yield PyStep("bundle", lambda: packaging.layout_bundle(linked, dex_files, bundle))
        yield Mark(BuildState.BUILT, artifact=bundle)
        yield from _sign_and_verify(spec, bundle)


def _gradle_plan(spec: BuildSpec) -> Plan:
    source = gradle_project(spec.package_dir)
    if source is None:
        raise UserError(f"{spec.package_dir} has no android/gradlew")
    project = spec.workdir / "project"

    def copy() -> None:
        shutil.copytree(source, project, symlinks=True)
        # imported packages may have lost the wrapper's executable bit; the workspace copy gets it back
        wrapper_copy = project / "gradlew"
        wrapper_copy.chmod(wrapper_copy.stat().st_mode | 0o111)
        (spec.workdir / "content.json").write_text(
            json.dumps(spec.template.content, ensure_ascii=False), encoding="utf-8"
        )

    yield PyStep("prepare", copy)
    wrapper = project / "gradlew"
    task = "bundleRelease" if spec.platform is Platform.AAB else "assembleRelease"
    result = yield ToolStep(
        "gradle",
        "gradlew",
        [task, "--console=plain",
         f"-PversionName={spec.version_name}", f"-PversionCode={spec.version_code}",
         f"-PapplicationId={spec.application_id}", f"-PappName={spec.app_name}",
         f"-PtrendforgeContent={spec.workdir / 'content.json'}"],
        cwd=project,
        program=str(wrapper),
        gradle=True,
    )
    _require_ok(result, "gradle")
    artifact = discover_artifact(project, spec.platform)
    if spec.platform is Platform.APK:
        aligned = spec.workdir / "aligned.apk"
        yield ToolStep("align", "zipalign", ["-f", "-p", "4", str(artifact), str(aligned)])
        yield Mark(BuildState.BUILT, artifact=aligned)
        yield from _sign_and_verify(spec, aligned)
    else:
        yield Mark(BuildState.BUILT, artifact=artifact)
        yield from _sign_and_verify(spec, artifact)


def discover_artifact(project: Path, platform: Platform) -> Path:
    """The newest release artifact under ``app/build/outputs`` (unsigned APKs preferred)."""
    outputs = project / "app" / "build" / "outputs"
    if platform is Platform.AAB:
        found = sorted((outputs / "bundle").glob("*release*/*.aab")) or sorted(outputs.glob("bundle/**/*.aab"))
    else:
        found = sorted((outputs / "apk").glob("*release*/*.apk")) or sorted(outputs.glob("apk/**/*.apk"))
        unsigned = [p for p in found if "unsigned" in p.name]
        found = unsigned or found
    if not found:
        raise ToolError(f"Gradle finished but left no {platform.extension} under {outputs}")
    return max(found, key=lambda p: p.stat().st_mtime)


def _web_plan(spec: BuildSpec) -> Plan:
    out = spec.outdir / spec.artifact_name
    manifest = {
        "template_id": spec.template.id,
        "application_id": spec.application_id,
        "app_name": spec.app_name,
        "version_name": spec.version_name,
        "version_code": spec.version_code,
    }
    yield PyStep("prepare", lambda: spec.outdir.mkdir(parents=True, exist_ok=True), thread=False)
    yield PyStep("bundle", lambda: packaging.web_bundle(spec.package_dir, out, manifest, spec.template.content,
                                                                 spec.template.branding))

    def verify() -> str:
        import zipfile

        with zipfile.ZipFile(out) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ToolError(f"the web bundle is corrupt at {bad}")
        return packaging.sha256_file(out)

    digest = yield PyStep("verify", verify)
    yield Mark(BuildState.BUILT, artifact=out, detail={"sha256": digest})
    yield from _deploy(spec, out, "")
