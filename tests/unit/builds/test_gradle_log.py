"""The Gradle log parser, on the real logs in shared/data/gradle-logs (read at test time)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from app.builds import gradle_log
from app.builds.gradle_log import GradleProgress, LineKind, parse_duration, parse_line

# tests/unit/builds/<this file> -> repo root is parents[3]; shared/ sits beside the clone.
LOGS = Path(__file__).resolve().parents[2] / "data" / "gradle-logs"


def read_log(name: str) -> list[str]:
    path = LOGS / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    return path.read_text(encoding="utf-8").splitlines()


def run(lines: list[str]) -> GradleProgress:
    p = GradleProgress()
    for line in lines:
        p.feed(line)
    return p


def test_single_lines() -> None:
    t = parse_line("> Task :app:compileDebugAidl NO-SOURCE")
    assert (t.kind, t.task, t.outcome) == (LineKind.TASK, ":app:compileDebugAidl", "NO-SOURCE")
    t = parse_line(":app:packageRelease")
    assert (t.kind, t.task, t.outcome) == (LineKind.TASK, ":app:packageRelease", None)
    t = parse_line(":app:mergeDebugResources FAILED")
    assert t.outcome == "FAILED"
    t = parse_line(":app:compileReleaseJavaWithJavacwarning: [options] source value 7 is obsolete")
    assert (t.kind, t.task) == (LineKind.TASK, ":app:compileReleaseJavaWithJavac")
    r = parse_line("BUILD SUCCESSFUL in 1m 58s")
    assert (r.kind, r.success, r.took_s) == (LineKind.RESULT, True, 118.0)
    assert parse_line("  at org.gradle.Foo(Foo.java:1)").kind is LineKind.OTHER
    assert parse_line("Execution failed for task ':app:x'.").kind is LineKind.OTHER
    assert parse_duration("850ms") == pytest.approx(0.85)
    assert parse_duration("soon") is None


def test_agp_assemble_success_log() -> None:
    lines = read_log("agp-assemble-success.log")
    p = run(lines)
    expected = sum(1 for line in lines if line.startswith("> Task "))
    assert p.tasks == expected > 40
    assert p.success is True and p.took_s == 118.0
    assert p.outcomes["UP-TO-DATE"] > 10 and p.outcomes["NO-SOURCE"] > 3
    assert p.current_task == ":app:assemble"
    assert p.fraction == 1.0 and p.error_message == ""


def test_gradle6_failure_log() -> None:
    p = run(read_log("gradle6-test-failure.log"))
    assert p.success is False and p.took_s == 3.0
    assert p.failed_tasks == [":test"]
    assert p.tasks == 8
    assert "Execution failed for task ':test'." in p.error_message
    assert "There were failing tests" in p.error_message


def test_gradle4_noisy_success_log() -> None:
    lines = read_log("gradle4-android-success-noisy.log.gz")
    assert len(lines) > 18000  # the flood of stack traces is there
    p = run(lines)
    assert p.success is True and p.took_s == 7.0
    assert p.current_task == ":app:assembleRelease"
    # the glued compiler warning still counts as the javac task
    assert p.outcomes.get("FAILED", 0) == 0
    assert p.tasks == sum(1 for line in lines if line.startswith(":app:")) == 29
    assert ":app:compileReleaseJavaWithJavac" not in p.failed_tasks


def test_gradle4_noisy_failed_log() -> None:
    p = run(read_log("gradle4-android-failed-noisy.log.gz"))
    assert p.success is False and p.took_s == 5.0
    assert p.failed_tasks == [":app:mergeDebugResources"]
    assert "Execution failed for task ':app:mergeDebugResources'." in p.error_message
    assert len(p.what_went_wrong) <= 20


def test_fraction_grows_without_a_known_total() -> None:
    p = GradleProgress()
    seen = []
    for i in range(50):
        p.feed(f"> Task :app:t{i}")
        seen.append(p.fraction)
    assert seen == sorted(seen) and seen[-1] < 0.95
    p2 = GradleProgress(expected_tasks=10)
    for i in range(5):
        p2.feed(f"> Task :t{i}")
    assert p2.fraction == 0.5


def test_a_line_no_pattern_can_match_is_told_apart_without_trying_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flood's stack frames are most of its 100,000 lines: each is OTHER at once, no pattern tried."""
    tried: list[str] = []

    class Spy:
        def match(self, text: str) -> None:
            tried.append(text)

    for name in ("_NEW_TASK", "_OLD_TASK", "_GLUED_TASK", "_RESULT"):
        monkeypatch.setattr(gradle_log, name, Spy())
    parsed = gradle_log.parse_line("\tat org.gradle.internal.Worker.run(Worker.java:12)\n")
    assert parsed.kind is gradle_log.LineKind.OTHER and parsed.text == "\tat org.gradle.internal.Worker.run(Worker.java:12)"
    assert tried == []
