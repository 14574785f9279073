"""Build outcomes decided by the one set of rules, for real builds: a finished web build stays
``built`` and counts as succeeded everywhere (its duration, its stats, Home's count)."""

from __future__ import annotations

from app.builds.model import BuildState
from app.builds.outcome import FINISHED, SUCCEEDED
from services.builds.service import BuildsService
from services.home import queries
from tests.support.qasync_loop import build_ended


def test_a_finished_web_build_feeds_the_next_web_builds_eta(builds: BuildsService) -> None:
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "web").id, 60)
    assert done.state is BuildState.BUILT and SUCCEEDED(done), done.error
    assert builds.past_durations("quotes-daily", "web") == [done.duration_s]


def test_a_finished_web_build_counts_once_in_homes_succeeded_builds(builds: BuildsService) -> None:
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "web").id, 60)
    assert FINISHED(done), done.error
    with builds.ctx.new_uow() as uow:
        assert queries.succeeded_builds(uow.session) == 1
