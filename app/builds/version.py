"""Semantic versions and Android versionCodes that only ever go up per application id."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import UserError

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

# Google Play's ceiling for versionCode.
MAX_VERSION_CODE = 2_100_000_000
MAX_VERSION_CHARS = 128  # also keeps int() below Python's digit limit


@dataclass(frozen=True, order=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> SemVer:
        m = _SEMVER.fullmatch(text.strip()) if len(text) <= MAX_VERSION_CHARS else None
        if not m:
            raise UserError(f"version {text!r} is not a semantic version X.Y.Z (e.g. 1.4.0 or 2.0.0-beta.1)")
        return cls(int(m[1]), int(m[2]), int(m[3]), m[4] or "", m[5] or "")

    def __str__(self) -> str:
        out = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            out += f"-{self.prerelease}"
        if self.build:
            out += f"+{self.build}"
        return out

    def base_code(self) -> int:
        """major*10000 + minor*100 + patch when minor and patch fit in two digits, else a packed form."""
        if self.minor < 100 and self.patch < 100:
            code = self.major * 10_000 + self.minor * 100 + self.patch
        else:
            code = self.major * 1_000_000 + min(self.minor, 999) * 1_000 + min(self.patch, 999)
        return max(code, 1)


def next_version_code(version: SemVer, previous_max: int | None) -> int:
    """The versionCode for a new build: derived from the version, but always above every earlier one."""
    code = version.base_code()
    if previous_max is not None and code <= previous_max:
        code = previous_max + 1
    if code > MAX_VERSION_CODE:
        raise UserError(f"versionCode {code} would exceed Google Play's limit of {MAX_VERSION_CODE}")
    return code
