"""Several writers on one store: an edit made on an older row version is refused, naming who changed it.

Two apps on the same store (the same SQLite file, or the same PostgreSQL database) stand for two
makers' machines; each acts for its own actor (TRENDFORGE_ACTOR).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import StaleEditError
from services.bootstrap import Services
from services.events.store import EventQuery


@pytest.fixture
def two_makers(make_services: Callable[..., Services], sample_dirs: list[Path],
               monkeypatch: pytest.MonkeyPatch) -> tuple[Services, Services]:
    monkeypatch.setenv("TRENDFORGE_ACTOR", "ana@studio-a")
    ana = make_services()
    assert all(r.ok for r in ana.templates.import_paths(sample_dirs[:1]))
    monkeypatch.setenv("TRENDFORGE_ACTOR", "ben@studio-b")
    ben = make_services()
    return ana, ben


def test_an_edit_on_the_current_version_is_saved_and_bumps_it(two_makers: tuple[Services, Services]) -> None:
    _, ben = two_makers
    opened = ben.templates.get("quotes-daily")
    saved = ben.templates.update("quotes-daily", {"title": "Quotes by Ben"}, expected_version=opened.row_version)
    assert saved.row_version == opened.row_version + 1
    assert saved.changed_by == "ben@studio-b" and saved.title == "Quotes by Ben"


def test_a_stale_edit_is_refused_naming_who_changed_it(two_makers: tuple[Services, Services]) -> None:
    ana, ben = two_makers
    opened_by_ana = ana.templates.get("quotes-daily")
    ben.templates.update("quotes-daily", {"title": "Quotes by Ben"}, expected_version=opened_by_ana.row_version)
    with pytest.raises(StaleEditError, match=r"changed by ben@studio-b at .* nothing was saved") as refused:
        ana.templates.update("quotes-daily", {"title": "Quotes by Ana"}, expected_version=opened_by_ana.row_version)
    assert refused.value.changed_by == "ben@studio-b" and "\n" not in str(refused.value)
    ana.templates.invalidate()
    assert ana.templates.get("quotes-daily").title == "Quotes by Ben"  # nothing of Ana's edit was written


def test_every_event_records_its_actor(two_makers: tuple[Services, Services]) -> None:
    ana, ben = two_makers
    ben.templates.update("quotes-daily", {"title": "Quotes by Ben"})
    stored = ana.bus.history(EventQuery(types=("template.*",), limit=0, oldest_first=True))
    actors = {(s.event.type, s.event.actor) for s in stored}
    assert actors == {("template.created", "ana@studio-a"), ("template.imported", "ana@studio-a"),
                      ("template.updated", "ben@studio-b")}
