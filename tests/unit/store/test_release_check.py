"""One test per release-check rule: the failing case, its severity and its one-line message."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.store.check import DeployKind, ReleaseCheckError, ReleaseFacts, Rule, Severity, check

READY = ReleaseFacts(
    template_id="cat-cafe", platform="aab", deploy=DeployKind.PLAY, target_sdk=36, app_name="Cat Cafe",
    application_id="com.indie.catcafe", application_id_valid=True,
    base_application_ids=frozenset({"com.trendforge.quotes", "com.trendforge.runtime"}),
    version_name="1.1.0", listing_present=True,
)


def only(facts: ReleaseFacts, rule: Rule) -> tuple[Severity, str]:
    report = check(facts)
    found = [p for p in report.problems if p.rule is rule]
    assert len(found) == 1, report.problems
    return found[0].severity, found[0].line()


def test_a_ready_app_has_no_problems() -> None:
    report = check(READY)
    assert report.ready and report.problems == ()


def test_target_below_play_minimum_blocks_a_play_deploy() -> None:
    severity, line = only(replace(READY, target_sdk=34), Rule.TARGET_SDK)
    assert severity is Severity.BLOCKER
    assert line == "blocker: target_sdk: 34 is below Google Play's minimum 36; set target_sdk to 36 or more"


def test_target_below_play_minimum_only_warns_for_a_folder_deploy() -> None:
    severity, line = only(replace(READY, target_sdk=29, deploy=DeployKind.FOLDER, platform="apk"), Rule.TARGET_SDK)
    assert severity is Severity.WARNING and "folder or adb deploy may sideload" in line
    assert check(replace(READY, target_sdk=29, deploy=DeployKind.FOLDER, platform="apk")).ready


def test_missing_icon_blocks() -> None:
    severity, line = only(replace(READY, icon_problem="no launcher icon; name a square PNG in branding.icon"),
                          Rule.ICON)
    assert severity is Severity.BLOCKER and line.startswith("blocker: branding.icon: no launcher icon")


def test_label_over_30_characters_blocks_for_play() -> None:
    severity, line = only(replace(READY, app_name="The Most Wonderful Cat Cafe App Ever"), Rule.LABEL)
    assert severity is Severity.BLOCKER
    assert line == "blocker: app_name: 36 characters, over the 30 a launcher and Play show; shorten it"


def test_invalid_application_id_blocks() -> None:
    severity, line = only(replace(READY, application_id="1cat", application_id_valid=False), Rule.APPLICATION_ID)
    assert severity is Severity.BLOCKER and "'1cat' is not a valid application id" in line


def test_base_template_application_id_blocks_for_play() -> None:
    severity, line = only(replace(READY, application_id="com.trendforge.quotes"), Rule.APPLICATION_ID)
    assert severity is Severity.BLOCKER and "belongs to a base template" in line and "application_id" in line


def test_example_domain_application_id_blocks_for_play() -> None:
    severity, _ = only(replace(READY, application_id="com.example.cats"), Rule.APPLICATION_ID)
    assert severity is Severity.BLOCKER


def test_version_lower_than_one_already_built_blocks() -> None:
    severity, line = only(replace(READY, version_name="1.0.0", version_lower_than="1.2.0", last_version_code=10200),
                          Rule.VERSION_CODE)
    assert severity is Severity.BLOCKER
    assert line == ("blocker: version: 1.0.0 is lower than 1.2.0, already built for com.indie.catcafe "
                    "(versionCode 10200); use a version above 1.2.0")


def test_intent_filter_without_exported_blocks() -> None:
    severity, line = only(replace(READY, unexported=("<activity .Main>",)), Rule.EXPORTED)
    assert severity is Severity.BLOCKER
    assert line.startswith("blocker: AndroidManifest.xml <activity .Main>: has an intent filter but no android:exported")


def test_debuggable_blocks() -> None:
    severity, line = only(replace(READY, debuggable=True), Rule.DEBUGGABLE)
    assert severity is Severity.BLOCKER and "android:debuggable is set; remove it" in line


def test_dangerous_permission_without_reason_blocks_for_play() -> None:
    severity, line = only(replace(READY, permissions_without_reason=("android.permission.CAMERA",)), Rule.PERMISSIONS)
    assert severity is Severity.BLOCKER
    assert line.startswith("blocker: permission_reasons.android.permission.CAMERA: is a dangerous permission")


def test_listing_text_over_limits_blocks_for_play() -> None:
    problems = (("listing.locales.en-US.title", "31 characters, over Play's limit of 30; shorten it"),)
    severity, line = only(replace(READY, listing_problems=problems), Rule.LISTING)
    assert severity is Severity.BLOCKER
    assert line == "blocker: listing.locales.en-US.title: 31 characters, over Play's limit of 30; shorten it"


def test_listing_problems_only_warn_outside_play() -> None:
    problems = (("listing.feature_graphic", "missing; add a 1024x500 PNG or JPEG"),)
    severity, _ = only(replace(READY, deploy=DeployKind.FOLDER, listing_problems=problems), Rule.LISTING)
    assert severity is Severity.WARNING


def test_missing_listing_warns_for_play() -> None:
    severity, line = only(replace(READY, listing_present=False), Rule.LISTING)
    assert severity is Severity.WARNING and "no store listing" in line


def test_apk_to_play_for_a_new_app_blocks() -> None:
    severity, line = only(replace(READY, platform="apk"), Rule.BUNDLE_FORMAT)
    assert severity is Severity.BLOCKER
    assert line == "blocker: platform: Google Play takes new apps only as an app bundle; build the aab platform"


def test_apk_to_play_for_an_app_already_on_play_warns() -> None:
    severity, _ = only(replace(READY, platform="apk", released_on_play=True), Rule.BUNDLE_FORMAT)
    assert severity is Severity.WARNING


def test_web_ui_missing_files_block() -> None:
    problems = (("web/index.html", "references app.js, which the package does not ship; add it to web/"),)
    severity, line = only(replace(READY, web_problems=problems), Rule.WEB_UI)
    assert severity is Severity.BLOCKER and line.endswith("add it to web/")


def test_web_builds_skip_android_rules() -> None:
    report = check(replace(READY, platform="web", deploy=DeployKind.NONE, target_sdk=21, debuggable=True))
    assert report.ready and report.problems == ()


def test_blockers_come_before_warnings_and_the_error_names_the_first() -> None:
    facts = replace(READY, deploy=DeployKind.FOLDER, target_sdk=30, debuggable=True, unexported=("<activity A>",))
    report = check(facts)
    assert [p.severity for p in report.problems] == [Severity.BLOCKER, Severity.BLOCKER, Severity.WARNING]
    with pytest.raises(ReleaseCheckError, match=r"^not ready for release: AndroidManifest.xml <activity A>: .*"
                                                r"\(and 1 more blocker\)$"):
        raise ReleaseCheckError(report)
