"""What a build's state means: finished, succeeded, failed or cancelled, keeps its artifact.

Each rule is written once here, as data (:class:`Rule`, a union of :class:`Clause`), so the same
definition answers for one build in Python (:meth:`Rule.holds`) and for many rows in SQL
(``services/builds/outcome_sql.py`` turns a rule into a WHERE expression). No other module compares
build states to decide an outcome; a test scans the code for places that try.

The subtle one: a web bundle is not signed, so a finished web build stays ``built`` (with its
``finished_at`` set) and counts as succeeded; a ``built`` APK/AAB is still on its way to signing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.builds.model import FINAL_STATES, SUCCESS_STATES, BuildState, Platform

ALL_STATES = frozenset(BuildState)
ACTIVE_STATES = ALL_STATES - FINAL_STATES


class BuildLike(Protocol):
    """What the rules read of a build (a ``BuildInfo``, or a row's three columns)."""

    @property
    def state(self) -> BuildState: ...

    @property
    def platform(self) -> Platform: ...

    @property
    def finished_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Clause:
    """A build matches when its state is one of ``states`` and, when given, its platform is
    ``platform`` and its ``finished_at`` is set (``finished=True``) or unset (``finished=False``)."""

    states: frozenset[BuildState]
    platform: Platform | None = None
    finished: bool | None = None

    def matches(self, state: BuildState, platform: Platform, finished: bool) -> bool:
        return (state in self.states and (self.platform is None or platform is self.platform)
                and (self.finished is None or finished is self.finished))


@dataclass(frozen=True)
class Rule:
    """A build satisfies the rule when any clause matches."""

    name: str
    clauses: tuple[Clause, ...]

    def holds(self, state: BuildState, platform: Platform, finished: bool) -> bool:
        return any(c.matches(state, platform, finished) for c in self.clauses)

    def __call__(self, build: BuildLike) -> bool:
        return self.holds(build.state, build.platform, build.finished_at is not None)

    def of_state(self, state: BuildState) -> bool:
        """For a rule that reads the state alone (a job's final state, before it is recorded)."""
        if any(c.platform is not None or c.finished is not None for c in self.clauses):
            raise ValueError(f"the rule {self.name!r} needs the platform and finish time too")
        return any(state in c.states for c in self.clauses)


# Ended one way or another: a final state, or a finish time (a finished web build stays "built").
FINISHED = Rule("finished", (Clause(FINAL_STATES), Clause(ALL_STATES, finished=True)))
# Still queued, running or on its way from built to signed: exactly the builds FINISHED leaves out.
IN_PROGRESS = Rule("in progress", (Clause(ACTIVE_STATES, finished=False),))
SUCCEEDED = Rule("succeeded", (Clause(SUCCESS_STATES), Clause(frozenset({BuildState.BUILT}), Platform.WEB, finished=True)))
FAILED = Rule("failed", (Clause(frozenset({BuildState.FAILED})),))
CANCELLED = Rule("cancelled", (Clause(frozenset({BuildState.CANCELLED})),))
# Its artifact is final (signed, or a web bundle): a later failure (a deploy) leaves the build as it is.
KEEPS_ARTIFACT = Rule("keeps its artifact", (
    Clause(frozenset({BuildState.SIGNED, BuildState.DEPLOYED})),
    Clause(frozenset({BuildState.BUILT}), Platform.WEB),
))
# Something went wrong or was stopped: such a build may be retried.
RETRYABLE = Rule("retryable", (Clause(frozenset({BuildState.FAILED, BuildState.CANCELLED})),))
SIGNED = Rule("signed", (Clause(frozenset({BuildState.SIGNED, BuildState.DEPLOYED})),))
DEPLOYED = Rule("deployed", (Clause(frozenset({BuildState.DEPLOYED})),))
RUNNING = Rule("running", (Clause(frozenset({BuildState.RUNNING})),))


class Outcome(enum.StrEnum):
    """How a build ended (or that it has not)."""

    IN_PROGRESS = "in progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


def outcome_of(state: BuildState, platform: Platform, finished: bool) -> Outcome:
    if SUCCEEDED.holds(state, platform, finished):
        return Outcome.SUCCEEDED
    if FAILED.holds(state, platform, finished):
        return Outcome.FAILED
    if CANCELLED.holds(state, platform, finished):
        return Outcome.CANCELLED
    return Outcome.IN_PROGRESS


def outcome(build: BuildLike) -> Outcome:
    return outcome_of(build.state, build.platform, build.finished_at is not None)
