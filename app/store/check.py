"""The release check: Google Play's upload rules and the pitfalls makers trip over, decided on facts
gathered beforehand (no I/O here). Each problem is one line naming the field and the fix; blockers stop
a build before it takes a versionCode, warnings are told and let it go on."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.errors import UserError
from app.store.policy import APP_LABEL_MAX, PLAY_MIN_TARGET_SDK

# Android's runtime ("dangerous") permissions: Play asks why an app needs each of them.
DANGEROUS_PERMISSIONS = frozenset(f"android.permission.{p}" for p in (
    "READ_CALENDAR", "WRITE_CALENDAR", "CAMERA", "READ_CONTACTS", "WRITE_CONTACTS", "GET_ACCOUNTS",
    "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION", "RECORD_AUDIO",
    "READ_PHONE_STATE", "READ_PHONE_NUMBERS", "CALL_PHONE", "ANSWER_PHONE_CALLS", "READ_CALL_LOG",
    "WRITE_CALL_LOG", "ADD_VOICEMAIL", "USE_SIP", "PROCESS_OUTGOING_CALLS", "BODY_SENSORS",
    "BODY_SENSORS_BACKGROUND", "SEND_SMS", "RECEIVE_SMS", "READ_SMS", "RECEIVE_WAP_PUSH", "RECEIVE_MMS",
    "READ_EXTERNAL_STORAGE", "WRITE_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO",
    "READ_MEDIA_AUDIO", "READ_MEDIA_VISUAL_USER_SELECTED", "ACCESS_MEDIA_LOCATION", "ACTIVITY_RECOGNITION",
    "POST_NOTIFICATIONS", "NEARBY_WIFI_DEVICES", "BLUETOOTH_SCAN", "BLUETOOTH_CONNECT", "BLUETOOTH_ADVERTISE",
    "UWB_RANGING",
))


class Severity(enum.StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"


class Rule(enum.StrEnum):
    TARGET_SDK = "target-sdk"
    ICON = "icon"
    LABEL = "label"
    APPLICATION_ID = "application-id"
    VERSION_CODE = "version-code"
    EXPORTED = "exported"
    DEBUGGABLE = "debuggable"
    PERMISSIONS = "permissions"
    LISTING = "listing"
    BUNDLE_FORMAT = "bundle-format"
    WEB_UI = "web-ui"


class DeployKind(enum.StrEnum):
    NONE = "none"
    FOLDER = "folder"
    ADB = "adb"
    PLAY = "play"


@dataclass(frozen=True)
class Problem:
    rule: Rule
    severity: Severity
    field: str  # where to fix it, e.g. "target_sdk" or "android/AndroidManifest.xml <activity .Main>"
    message: str  # what is wrong and what to do, one line

    def line(self) -> str:
        return f"{self.severity.value}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule.value, "severity": self.severity.value, "field": self.field,
                "message": self.message}


@dataclass(frozen=True)
class CheckReport:
    template_id: str
    platform: str
    deploy: DeployKind
    problems: tuple[Problem, ...]

    @property
    def blockers(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.BLOCKER)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ready(self) -> bool:
        return not self.blockers

    def to_dict(self) -> dict[str, Any]:
        return {"template_id": self.template_id, "platform": self.platform, "deploy": self.deploy.value,
                "ready": self.ready, "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class ReleaseFacts:
    """Everything the rules look at, gathered from the package, the database and the build request."""

    template_id: str
    platform: str  # apk | aab | web
    deploy: DeployKind
    target_sdk: int
    app_name: str
    application_id: str
    application_id_valid: bool
    base_application_ids: frozenset[str]  # the samples' and the runtime's ids: never a maker's app
    version_name: str | None = None  # None: not building now (the check alone)
    version_lower_than: str | None = None  # a higher version already built or released for this id
    last_version_code: int | None = None
    released_on_play: bool = False  # an earlier Play release of this application id
    icon_problem: str | None = None  # None: the icon is fine
    icon_field: str = "branding.icon"
    unexported: tuple[str, ...] = ()  # components with intent filters but no android:exported
    debuggable: bool = False
    permissions_without_reason: tuple[str, ...] = ()
    listing_problems: tuple[tuple[str, str], ...] = ()  # (field, message)
    listing_present: bool = False
    web_problems: tuple[tuple[str, str], ...] = ()  # (field, message)
    extra: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def android(self) -> bool:
        return self.platform in ("apk", "aab")

    @property
    def for_play(self) -> bool:
        """Going to Google Play now (a bundle kept in a folder may still be uploaded by hand later: warnings)."""
        return self.deploy is DeployKind.PLAY


def _play(facts: ReleaseFacts) -> Severity:
    """Google Play refuses it: a blocker when the build is for Play, a warning otherwise."""
    return Severity.BLOCKER if facts.for_play else Severity.WARNING


def _rules(f: ReleaseFacts) -> Iterator[Problem]:
    for where, message in f.web_problems:
        yield Problem(Rule.WEB_UI, Severity.BLOCKER, where, message)
    if not f.android:
        return
    if f.target_sdk < PLAY_MIN_TARGET_SDK:
        if f.for_play:
            yield Problem(Rule.TARGET_SDK, Severity.BLOCKER, "target_sdk",
                          f"{f.target_sdk} is below Google Play's minimum {PLAY_MIN_TARGET_SDK}; set target_sdk to "
                          f"{PLAY_MIN_TARGET_SDK} or more")
        else:
            yield Problem(Rule.TARGET_SDK, Severity.WARNING, "target_sdk",
                          f"{f.target_sdk} is below {PLAY_MIN_TARGET_SDK}: a folder or adb deploy may sideload it, but "
                          f"Google Play will refuse it; set target_sdk to {PLAY_MIN_TARGET_SDK}")
    if f.icon_problem:
        yield Problem(Rule.ICON, Severity.BLOCKER, f.icon_field, f.icon_problem)
    if len(f.app_name) > APP_LABEL_MAX:
        yield Problem(Rule.LABEL, _play(f), "app_name",
                      f"{len(f.app_name)} characters, over the {APP_LABEL_MAX} a launcher and Play show; shorten it")
    if not f.application_id_valid:
        yield Problem(Rule.APPLICATION_ID, Severity.BLOCKER, "application_id",
                      f"{f.application_id!r} is not a valid application id; use reverse-domain form like com.yourname.app")
    elif f.application_id in f.base_application_ids or f.application_id.startswith("com.example."):
        yield Problem(Rule.APPLICATION_ID, _play(f), "application_id",
                      f"{f.application_id} belongs to a base template or an example domain; give the app its own id "
                      "(e.g. com.yourname.app)")
    if f.version_lower_than is not None and f.version_name is not None:
        yield Problem(Rule.VERSION_CODE, Severity.BLOCKER, "version",
                      f"{f.version_name} is lower than {f.version_lower_than}, already built for {f.application_id} "
                      f"(versionCode {f.last_version_code}); use a version above {f.version_lower_than}")
    for component in f.unexported:
        yield Problem(Rule.EXPORTED, Severity.BLOCKER, f"AndroidManifest.xml {component}",
                      'has an intent filter but no android:exported; add android:exported="true" (or "false")')
    if f.debuggable:
        yield Problem(Rule.DEBUGGABLE, Severity.BLOCKER, "AndroidManifest.xml <application>",
                      'android:debuggable is set; remove it (Google Play refuses debuggable apps)')
    for permission in f.permissions_without_reason:
        yield Problem(Rule.PERMISSIONS, _play(f), f"permission_reasons.{permission}",
                      "is a dangerous permission without a reason; say why the app needs it in "
                      "permission_reasons of template.json, or remove the permission")
    for where, message in f.listing_problems:
        yield Problem(Rule.LISTING, _play(f), where, message)
    if f.for_play and not f.listing_present:
        yield Problem(Rule.LISTING, Severity.WARNING, "listing", "no store listing in the package; add one before publishing")
    if f.deploy is DeployKind.PLAY and f.platform == "apk":
        yield Problem(Rule.BUNDLE_FORMAT, Severity.WARNING if f.released_on_play else Severity.BLOCKER, "platform",
                      "Google Play takes new apps only as an app bundle; build the aab platform")
    yield from f.extra


def check(facts: ReleaseFacts) -> CheckReport:
    problems = tuple(_rules(facts))
    ordered = tuple(sorted(problems, key=lambda p: p.severity is not Severity.BLOCKER))
    return CheckReport(facts.template_id, facts.platform, facts.deploy, ordered)


class ReleaseCheckError(UserError):
    """A build refused before it took a versionCode; ``report`` lists every problem."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        first = report.blockers[0]
        more = len(report.blockers) - 1
        super().__init__(f"not ready for release: {first.field}: {first.message}"
                         + (f" (and {more} more blocker{'s' if more > 1 else ''})" if more else ""))


# What each rule checks, as a checklist line when it passes
RULE_TITLES: dict[Rule, str] = {
    Rule.TARGET_SDK: "Targets API 36 or more (Google Play's minimum)",
    Rule.ICON: "Launcher icon from a square source image",
    Rule.LABEL: "App name of at most 30 characters",
    Rule.APPLICATION_ID: "Its own valid application id",
    Rule.VERSION_CODE: "Version above the last one built for this id",
    Rule.EXPORTED: "android:exported on every intent filter",
    Rule.DEBUGGABLE: "Not debuggable",
    Rule.PERMISSIONS: "A reason for every dangerous permission",
    Rule.LISTING: "Store listing within Play's limits",
    Rule.BUNDLE_FORMAT: "An app bundle where Play needs one",
    Rule.WEB_UI: "Web UI ships every file it uses",
}
ANDROID_ONLY = frozenset(set(Rule) - {Rule.WEB_UI})


def checklist(report: CheckReport) -> list[tuple[Severity | None, str]]:
    """One line per rule that applies to the report's platform: (None, title) when it passes, else each problem."""
    out: list[tuple[Severity | None, str]] = []
    for rule, title in RULE_TITLES.items():
        if report.platform == "web" and rule in ANDROID_ONLY:
            continue
        problems = [p for p in report.problems if p.rule is rule]
        if not problems:
            out.append((None, title))
        out.extend((p.severity, f"{p.field}: {p.message}") for p in problems)
    return out
