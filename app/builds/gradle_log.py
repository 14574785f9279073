"""Parse Gradle console output (``--console=plain``) line by line into tasks and an outcome.

Both styles are understood: ``> Task :app:packageRelease UP-TO-DATE`` (Gradle 4.7+) and the older
``:app:packageRelease UP-TO-DATE``; a task line glued to a compiler message
(``:app:compileReleaseJavaWithJavacwarning: ...``, seen with Gradle 4.4) is split.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

OUTCOMES = ("UP-TO-DATE", "NO-SOURCE", "SKIPPED", "FROM-CACHE", "FAILED")
_OUT = "|".join(re.escape(o) for o in OUTCOMES)
_NEW_TASK = re.compile(rf"^> Task (?P<path>:?[A-Za-z0-9_.:-]+)(?:\s+(?P<outcome>{_OUT}))?\s*$")
_OLD_TASK = re.compile(rf"^(?P<path>(?::[A-Za-z0-9_.-]+)+)(?:\s+(?P<outcome>{_OUT}))?\s*$")
_GLUED_TASK = re.compile(r"^(?P<path>:[A-Za-z0-9_.:-]+?)(?P<rest>(?:warning|error|Note|note|w|e): .*)$")
_RESULT = re.compile(r"^BUILD (?P<result>SUCCESSFUL|FAILED) in (?P<took>.+?)\s*$")
_TOOK_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s|ms)\b")


class LineKind(enum.StrEnum):
    TASK = "task"
    RESULT = "result"
    FAILURE_HEADER = "failure"
    WHAT_WENT_WRONG = "what_went_wrong"
    OTHER = "other"


@dataclass(frozen=True)
class GradleLine:
    kind: LineKind
    task: str | None = None
    outcome: str | None = None
    success: bool | None = None
    took_s: float | None = None
    text: str = ""


def parse_duration(text: str) -> float | None:
    """'1m 58s' -> 118.0, '3s' -> 3.0, '850ms' -> 0.85."""
    total = 0.0
    found = False
    for number, unit in _TOOK_PART.findall(text):
        found = True
        value = float(number)
        total += {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}[unit] * value
    return total if found else None


# every line that is not OTHER starts with one of these (the patterns above are anchored): the
# rest of a flood (stack frames, compiler chatter) is told apart without trying each pattern
_MEANINGFUL_STARTS = (">", ":", "BUILD ", "FAILURE:", "* What went wrong:")


def parse_line(line: str) -> GradleLine:
    text = line.rstrip("\r\n")
    if not text.startswith(_MEANINGFUL_STARTS):
        return GradleLine(LineKind.OTHER, text=text)
    m = _NEW_TASK.match(text) or _OLD_TASK.match(text)
    if m:
        path = m["path"]
        return GradleLine(LineKind.TASK, task=path if path.startswith(":") else ":" + path, outcome=m["outcome"], text=text)
    m = _GLUED_TASK.match(text)
    if m:
        return GradleLine(LineKind.TASK, task=m["path"], text=text)
    m = _RESULT.match(text)
    if m:
        return GradleLine(LineKind.RESULT, success=m["result"] == "SUCCESSFUL", took_s=parse_duration(m["took"]), text=text)
    if text.startswith("FAILURE:"):
        return GradleLine(LineKind.FAILURE_HEADER, text=text)
    if text.startswith("* What went wrong:"):
        return GradleLine(LineKind.WHAT_WENT_WRONG, text=text)
    return GradleLine(LineKind.OTHER, text=text)


@dataclass
class GradleProgress:
    """Feed lines in order; keeps only counters and the failure text (bounded memory)."""

    expected_tasks: int | None = None
    tasks: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    current_task: str | None = None
    failed_tasks: list[str] = field(default_factory=list)
    success: bool | None = None
    took_s: float | None = None
    what_went_wrong: list[str] = field(default_factory=list)
    _in_wrong: bool = False

    def feed(self, line: str) -> GradleLine:
        parsed = parse_line(line)
        if self._in_wrong:
            stripped = parsed.text.strip()
            if parsed.kind is LineKind.OTHER and stripped and not stripped.startswith("* "):
                if len(self.what_went_wrong) < 20:
                    self.what_went_wrong.append(stripped[:500])
            elif stripped or self.what_went_wrong:
                self._in_wrong = False
        if parsed.kind is LineKind.TASK:
            assert parsed.task is not None
            self.tasks += 1
            self.current_task = parsed.task
            key = parsed.outcome or "EXECUTED"
            self.outcomes[key] = self.outcomes.get(key, 0) + 1
            if parsed.outcome == "FAILED" and parsed.task not in self.failed_tasks:
                self.failed_tasks.append(parsed.task)
        elif parsed.kind is LineKind.RESULT:
            self.success = parsed.success
            self.took_s = parsed.took_s
        elif parsed.kind is LineKind.WHAT_WENT_WRONG:
            self._in_wrong = True
        return parsed

    @property
    def fraction(self) -> float:
        """0..1; unknown totals approach 0.95 asymptotically until the result line."""
        if self.success is not None:
            return 1.0
        if self.expected_tasks:
            return min(self.tasks / self.expected_tasks, 0.99)
        return 0.95 * self.tasks / (self.tasks + 20)

    @property
    def error_message(self) -> str:
        if self.what_went_wrong:
            return " ".join(line.lstrip("> ").strip() for line in self.what_went_wrong[:3])
        if self.failed_tasks:
            return f"task {self.failed_tasks[0]} failed"
        return "Gradle reported BUILD FAILED" if self.success is False else ""
