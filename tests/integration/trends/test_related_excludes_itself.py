"""`trends related ID` never lists the trend itself (it came first, score 1.0, lag 0)."""

from __future__ import annotations

from pathlib import Path

from services.bootstrap import Services


def test_related_never_lists_the_trend_itself(services: Services, tmp_path: Path) -> None:
    rows = ["title,volume,rank,taken_at,category"]
    series = [1.0, 3, 2, 5, 4, 8, 6, 9]
    for title, scale in (("Eras Tour", 1000), ("Eras Tour tickets", 700), ("Eras Tour merch", 300)):
        rows += [f"{title},{v * scale},1,2026-11-{1 + i:02d}T00:00:00Z,music" for i, v in enumerate(series)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    services.trends.import_csv("csv", tmp_path / "t.csv")
    for trend in services.trends.list_trends():
        related = services.trends.related(trend["id"])
        assert related, trend["title"]
        assert trend["id"] not in [r["id"] for r in related]
