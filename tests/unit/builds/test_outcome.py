"""The build-outcome rules: each predicate, and the SQL form of each agreeing with the Python one."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.builds.model import BuildState, Platform
from app.builds.outcome import (
    CANCELLED,
    DEPLOYED,
    FAILED,
    FINISHED,
    IN_PROGRESS,
    KEEPS_ARTIFACT,
    RETRYABLE,
    RUNNING,
    SIGNED,
    SUCCEEDED,
    Outcome,
    Rule,
    outcome_of,
)
from services.builds.models import BuildRecord
from services.builds.outcome_sql import where
from services.db.base import Base

COMBINATIONS = list(itertools.product(BuildState, Platform, (False, True)))
RULES = (FINISHED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELLED, KEEPS_ARTIFACT, RETRYABLE, SIGNED, DEPLOYED, RUNNING)


def test_a_finished_web_build_stays_built_and_has_succeeded() -> None:
    assert SUCCEEDED.holds(BuildState.BUILT, Platform.WEB, True)
    assert FINISHED.holds(BuildState.BUILT, Platform.WEB, True)
    assert outcome_of(BuildState.BUILT, Platform.WEB, True) is Outcome.SUCCEEDED


def test_a_built_apk_is_still_on_its_way_to_signing() -> None:
    assert not SUCCEEDED.holds(BuildState.BUILT, Platform.APK, False)
    assert IN_PROGRESS.holds(BuildState.BUILT, Platform.APK, False)
    assert outcome_of(BuildState.BUILT, Platform.AAB, False) is Outcome.IN_PROGRESS


def test_a_web_bundle_still_bundling_has_not_succeeded() -> None:
    assert not SUCCEEDED.holds(BuildState.BUILT, Platform.WEB, False)
    assert not FINISHED.holds(BuildState.BUILT, Platform.WEB, False)


@pytest.mark.parametrize(("state", "platform", "finished"), COMBINATIONS)
def test_in_progress_is_exactly_not_finished(state: BuildState, platform: Platform, finished: bool) -> None:
    assert IN_PROGRESS.holds(state, platform, finished) is not FINISHED.holds(state, platform, finished)


def test_signed_and_deployed_builds_succeeded_whatever_the_platform() -> None:
    for state, platform in itertools.product((BuildState.SIGNED, BuildState.DEPLOYED), (Platform.APK, Platform.AAB)):
        assert SUCCEEDED.holds(state, platform, False)


def test_failed_and_cancelled_builds_are_retryable_and_nothing_else_is() -> None:
    retryable = {s for s in BuildState if RETRYABLE.of_state(s)}
    assert retryable == {BuildState.FAILED, BuildState.CANCELLED}


def test_a_signed_build_or_a_bundled_web_build_keeps_its_artifact() -> None:
    assert KEEPS_ARTIFACT.holds(BuildState.SIGNED, Platform.APK, False)
    assert KEEPS_ARTIFACT.holds(BuildState.BUILT, Platform.WEB, False)  # its deploy may still fail
    assert not KEEPS_ARTIFACT.holds(BuildState.BUILT, Platform.APK, False)  # unsigned: a failure discards it
    assert not KEEPS_ARTIFACT.holds(BuildState.FAILED, Platform.WEB, True)


def test_a_rule_that_reads_the_platform_refuses_to_judge_a_state_alone() -> None:
    with pytest.raises(ValueError, match="succeeded"):
        SUCCEEDED.of_state(BuildState.BUILT)


@pytest.mark.parametrize(("state", "platform", "finished"), COMBINATIONS)
def test_each_build_has_exactly_one_outcome_and_it_agrees_with_the_rules(
        state: BuildState, platform: Platform, finished: bool) -> None:
    result = outcome_of(state, platform, finished)
    by_rule = {Outcome.SUCCEEDED: SUCCEEDED, Outcome.FAILED: FAILED, Outcome.CANCELLED: CANCELLED}
    for kind, rule in by_rule.items():
        assert rule.holds(state, platform, finished) is (result is kind)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_the_sql_form_of_a_rule_selects_the_builds_the_python_form_accepts(rule: Rule) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[BuildRecord.__table__])  # type: ignore[list-item]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        for i, (state, platform, finished) in enumerate(COMBINATIONS):
            session.add(BuildRecord(
                id=f"b{i}", template_id="t", application_id="a", platform=platform.value, backend="direct",
                version_name="1.0.0", version_code=1, key_alias=None, deploy_target=None, state=state.value,
                created_at=now, finished_at=now if finished else None, options={}))
        session.commit()
        selected = set(session.scalars(select(BuildRecord.id).where(where(rule))))
    expected = {f"b{i}" for i, combo in enumerate(COMBINATIONS) if rule.holds(*combo)}
    assert selected == expected
    engine.dispose()
