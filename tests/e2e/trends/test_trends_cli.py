"""The real CLI as a subprocess against stand-in servers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.trends_standins import REDDIT_RATE, XML_BOMB, Reply, StandIn, reddit_listing, rss_reply, trends_rss


def j(proc: Any) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_sync_list_show_related_archive(cli: Any, standin: StandIn, source_env: dict[str, str]) -> None:
    assert cli("trends", "settings", "--subreddits", "AndroidApps", env=source_env).returncode == 0
    standin.routes["/r/AndroidApps/hot.json"] = Reply(200, reddit_listing("AndroidApps", [("#PixelArt maker", 700), ("Habit tracker ideas", 90)]), REDDIT_RATE)
    standin.routes["/trending/rss"] = rss_reply(trends_rss([("Pixel Art Maker", "20,000+"), ("Moon landing", "100,000+")]))
    report = j(cli("trends", "sync", "--json", env=source_env))
    assert report["ok"] and report["discovered"] == 3
    assert {s["source"]: s["items"] for s in report["sources"]} == {"reddit": 2, "google_trends": 2}

    rows = j(cli("trends", "list", "--json"))
    assert [r["title"] for r in rows][:1] == ["Moon landing"]  # the biggest volume scores first on a first sync
    pixel = next(r for r in rows if r["key"] == "pixelartmaker")
    assert sorted(pixel["sources"]) == ["google_trends", "reddit"]
    assert [r["title"] for r in j(cli("trends", "list", "--search", "habit", "--json"))] == ["Habit tracker ideas"]
    assert [r["title"] for r in j(cli("trends", "list", "--source", "reddit", "--json"))] != []

    shown = j(cli("trends", "show", pixel["id"][:10], "--json"))
    assert {(s["source"], s["volume"]) for s in shown["snapshots"]} == {("reddit", 700.0), ("google_trends", 20000.0)}
    assert len(shown["aliases"]) == 2

    human = cli("trends", "show", pixel["id"])
    assert human.returncode == 0 and "#PixelArt maker (reddit)" in human.stdout

    assert isinstance(j(cli("trends", "related", pixel["id"], "--json")), list)
    assert j(cli("trends", "archive", pixel["id"], "--json"))["archived"] is True
    assert pixel["id"] not in {r["id"] for r in j(cli("trends", "list", "--json"))}
    assert [r["id"] for r in j(cli("trends", "list", "--archived", "--json"))] == [pixel["id"]]

    events = j(cli("events", "list", "--type", "trend*", "--json"))
    assert {"trend.discovered", "trend.archived", "trends.synced"} <= {e["type"] for e in events}


def test_failing_source_exits_1_and_says_why(cli: Any, standin: StandIn, source_env: dict[str, str]) -> None:
    standin.routes["/trending/rss"] = rss_reply(XML_BOMB)
    proc = cli("trends", "sync", "--source", "google_trends", env=source_env)
    assert proc.returncode == 1
    assert "refused unsafe XML" in proc.stderr and "FAILED" in proc.stdout
    standin.routes["/r/AndroidApps/hot.json"] = Reply(429, b"{}", {"Retry-After": "90"})
    proc = cli("trends", "sync", "--source", "reddit", "--json", env=source_env)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert "HTTP 429" in out["sources"][0]["error"] and out["sources"][0]["backoff_until"]
    health = {h["name"]: h for h in j(cli("trends", "sources", "--json"))}
    assert health["google_trends"]["failures"] == 1 and "unsafe XML" in health["google_trends"]["last_error"]
    assert health["reddit"]["backoff_until"] is not None


def test_import_and_usage_errors(cli: Any, tmp_path: Path) -> None:
    good = tmp_path / "tt.csv"
    good.write_text("hashtag_name,video_views,rank,taken_at\nfyp,100,1,2026-11-01T00:00:00Z\nfyp,900,1,2026-11-02T00:00:00Z\n")
    out = j(cli("trends", "import", "--source", "tiktok", str(good), "--json"))
    assert out["rows"] == 2 and out["discovered"] == 1
    (row,) = j(cli("trends", "list", "--json"))
    assert row["title"] == "fyp" and row["volume"] == 900
    assert len(j(cli("trends", "show", row["id"], "--json"))["snapshots"]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("name,volume\nok,1\n,2\n")
    proc = cli("trends", "import", "--source", "tiktok", str(bad))
    assert proc.returncode == 1 and "line 3: empty title" in proc.stderr
    proc = cli("trends", "show", "nope-nope")
    assert proc.returncode == 1 and "no trend with id" in proc.stderr
    assert cli("trends", "sync", "--source", "csv").returncode == 1
    assert cli("trends", "bogus").returncode == 2
