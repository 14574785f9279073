"""Sources against stand-in servers on 127.0.0.1 speaking each documented wire format."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication

from app.errors import ProviderError, UserError
from app.events import Event
from app.remedies import SetCredential, SyncTrends
from services.bootstrap import Services
from services.trends.service import TrendsService
from tests.support.qasync_loop import app_loop
from tests.support.trends_standins import (
    REDDIT_RATE,
    XML_BOMB,
    Reply,
    StandIn,
    reddit_listing,
    rss_reply,
    tiktok_hashtags,
    trends_rss,
    x_trends,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def manager(make_services: Callable[..., Services], clock: Clock) -> Services:
    m = make_services(clock=clock)
    m.trends.update_settings(subreddits=["AndroidApps", "gaming"])
    return m


@pytest.fixture
def svc(manager: Services) -> TrendsService:
    return manager.trends


def run(svc: TrendsService, source: str | None = None, **kw: bool):  # type: ignore[no-untyped-def]
    """Sync ``source`` (enabled first: a disabled source is refused) or every enabled source."""
    if source is not None and source not in [s.value for s in svc.enabled_sources()]:
        svc.update_settings(enabled_sources=[*(s.value for s in svc.enabled_sources()), source])

    async def go():  # type: ignore[no-untyped-def]
        try:
            return await svc.sync(source, **kw)
        finally:
            await svc.aclose()

    return asyncio.run(go())


def serve_defaults(s: StandIn) -> None:
    s.routes["/r/AndroidApps/hot.json"] = Reply(200, reddit_listing("AndroidApps", [("Taylor Swift wallpaper app", 900), ("Best AI photo editor", 400)]), REDDIT_RATE)
    s.routes["/r/gaming/hot.json"] = Reply(200, reddit_listing("gaming", [("Elden Ring DLC", 5000), ("#TaylorSwift", 50)]), REDDIT_RATE)
    s.routes["/trending/rss"] = rss_reply(trends_rss([("Taylor Swift", "500,000+"), ("Weather tomorrow", "200+")]))


def test_sync_reddit_and_google_merges_one_topic_across_sources(standin: StandIn, svc: TrendsService, manager: Services) -> None:
    serve_defaults(standin)
    seen: list[Event] = []
    manager.bus.subscribe("trend*", seen.append)
    report = run(svc)
    assert report.ok, report.to_dict()
    assert {o.source: o.items for o in report.outcomes} == {"reddit": 4, "google_trends": 2}
    trends = svc.list_trends()
    titles = {t["title"] for t in trends}
    # "#TaylorSwift" (reddit) and "Taylor Swift" (google) are one trend; the wallpaper post is another
    taylor = [t for t in trends if t["key"] == "taylorswift"]
    assert len(taylor) == 1 and set(taylor[0]["sources"]) == {"google_trends", "reddit"}
    assert "Elden Ring DLC" in titles and len(trends) == 5
    detail = svc.show(taylor[0]["id"])
    assert {a["alias"] for a in detail["aliases"]} == {"#TaylorSwift", "Taylor Swift"}
    assert {(s["source"], s["volume"]) for s in detail["snapshots"]} == {("reddit", 50.0), ("google_trends", 500000.0)}
    # requests carried a descriptive User-Agent and the documented query
    reddit_req = next(r for r in standin.requests if r.path == "/r/gaming/hot.json")
    assert "trendforge" in reddit_req.headers["user-agent"] and reddit_req.query["limit"] == ["100"]
    assert next(r for r in standin.requests if r.path == "/trending/rss").query["geo"] == ["US"]
    health = {h["name"]: h for h in svc.source_health()}
    assert health["reddit"]["notes"]["ratelimit"] == {"used": "3", "remaining": "97", "reset": "420"}
    assert health["reddit"]["last_success"] and health["reddit"]["failures"] == 0
    types = [e.type for e in seen]
    assert types.count("trend.discovered") == 5 and types[-1] == "trends.synced"


def test_history_builds_up_and_emerging_is_flagged(standin: StandIn, svc: TrendsService, clock: Clock, manager: Services) -> None:
    emerging: list[Event] = []
    manager.bus.subscribe("trend.emerging", emerging.append)
    svc.update_settings(enabled_sources=["google_trends"])
    for i in range(8):
        volume = "1,000,000+" if i == 7 else "10,000+"
        standin.routes["/trending/rss"] = rss_reply(trends_rss([("Pocket Monsters", volume), ("Quiet topic", "5,000+")]))
        assert run(svc).ok
        clock.advance(hours=1)
    rows = {t["title"]: t for t in svc.list_trends(with_series=True)}
    pm = rows["Pocket Monsters"]
    assert pm["series"] == [10000.0] * 7 + [1000000.0]
    assert pm["emerging"] and pm["tag"] == "exploding"
    assert rows["Quiet topic"]["tag"] == "steady" and not rows["Quiet topic"]["emerging"]
    assert [e.payload()["title"] for e in emerging] == ["Pocket Monsters"]
    assert [t["title"] for t in svc.list_trends(emerging=True)] == ["Pocket Monsters"]
    assert len(svc.show(pm["id"])["snapshots"]) == 8


def test_429_with_retry_after_records_backoff_and_says_so(standin: StandIn, svc: TrendsService, clock: Clock, manager: Services) -> None:
    failures: list[Event] = []
    manager.bus.subscribe("source.failed", failures.append)
    standin.routes["/r/AndroidApps/hot.json"] = Reply(429, b'{"message": "Too Many Requests", "error": 429}', {"Retry-After": "120", "x-ratelimit-remaining": "0"})
    report = run(svc, "reddit")
    assert not report.ok
    (out,) = report.outcomes
    assert "429" in out.error and "retry after 120" in out.error
    assert out.backoff_until == clock.now + timedelta(seconds=120)
    assert len([r for r in standin.requests if r.path == "/r/AndroidApps/hot.json"]) == 1  # no hammering
    h = next(h for h in svc.source_health() if h["name"] == "reddit")
    assert h["failures"] == 1 and "429" in h["last_error"] and not h["ok"]
    assert failures[0].payload()["backoff_seconds"] == 120
    assert manager.health()["status"] == "degraded"
    # a scheduled sync inside the backoff skips the source and says why; on demand it tries
    skipped = run(svc, "reddit", scheduled=True)
    assert skipped.outcomes[0].skipped and "backoff" in skipped.outcomes[0].warnings[0]
    serve_defaults(standin)
    clock.advance(minutes=1)
    assert run(svc, "reddit").ok
    h = next(h for h in svc.source_health() if h["name"] == "reddit")
    assert h["failures"] == 0 and h["backoff_until"] is None


def test_a_failure_on_demand_never_shortens_the_rest_a_source_asked_for(standin: StandIn, svc: TrendsService,
                                                                         clock: Clock) -> None:
    standin.routes["/r/AndroidApps/hot.json"] = Reply(429, b'{"message": "Too Many Requests", "error": 429}',
                                                      {"Retry-After": "3600", "x-ratelimit-remaining": "0"})
    asked_until = run(svc, "reddit").outcomes[0].backoff_until
    standin.routes["/r/AndroidApps/hot.json"] = Reply(404, b'{"message": "Not Found", "error": 404}')
    clock.advance(minutes=1)
    again = run(svc, "reddit").outcomes[0]
    assert not again.ok and again.backoff_until == asked_until == clock.now + timedelta(minutes=59)


def test_transient_5xx_is_retried_then_succeeds(standin: StandIn, svc: TrendsService) -> None:
    calls = {"n": 0}

    def flaky(_q: dict[str, list[str]]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(503, b"upstream unavailable", content_type="text/plain")
        return rss_reply(trends_rss([("Comet sighting", "50,000+")]))

    standin.routes["/trending/rss"] = flaky
    svc.retry_initial = 0.01
    report = run(svc, "google_trends")
    assert report.ok and calls["n"] == 2


def test_xml_bomb_is_refused_and_nothing_is_stored(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/trending/rss"] = rss_reply(XML_BOMB)
    report = run(svc, "google_trends")
    assert not report.ok
    assert "refused unsafe XML" in report.outcomes[0].error
    assert svc.list_trends() == []


@pytest.mark.parametrize(
    ("route", "reply", "source", "needle"),
    [
        ("/trending/rss", rss_reply(b"<rss><channel><item><title>broken"), "google_trends", "malformed XML"),
        ("/trending/rss", rss_reply(b'<?xml version="1.0"?><feed><entry/></feed>'), "google_trends", "unexpected response shape"),
        ("/trending/rss", rss_reply(trends_rss([])), "google_trends", "has no items"),
        ("/r/AndroidApps/hot.json", Reply(200, b'{"kind": "Listing", "data": {"children": [ {"kind": "t3", '), "reddit", "malformed JSON"),
        ("/r/AndroidApps/hot.json", Reply(200, b'{"kind": "t5", "data": {}}'), "reddit", "not a Listing"),
        ("/creative_radar_api/v1/popular_trend/hashtag/list", Reply(200, b'{"code": 0, "data": {"items": []}}'), "tiktok", "missing data.list"),
        ("/creative_radar_api/v1/popular_trend/hashtag/list", Reply(200, b'{"code": 40101, "msg": "no permission"}'), "tiktok", "no permission"),
    ],
)
def test_bad_payloads_fail_loudly(standin: StandIn, svc: TrendsService, route: str, reply: Reply, source: str, needle: str) -> None:
    standin.routes["/r/gaming/hot.json"] = Reply(200, reddit_listing("gaming", [("Fine post", 10)]))
    standin.routes[route] = reply
    report = run(svc, source)
    assert not report.ok
    assert needle in report.outcomes[0].error
    h = next(h for h in svc.source_health() if h["name"] == source)
    assert needle in h["last_error"] and h["backoff_until"]


def test_empty_reddit_listings_are_an_error_not_silence(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/r/AndroidApps/hot.json"] = Reply(200, reddit_listing("AndroidApps", []))
    standin.routes["/r/gaming/hot.json"] = Reply(200, reddit_listing("gaming", []))
    report = run(svc, "reddit")
    assert not report.ok
    assert "no items" in report.outcomes[0].error and "empty listing" in report.outcomes[0].error


def test_one_missing_subreddit_is_a_warning_when_others_work(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/r/gaming/hot.json"] = Reply(200, reddit_listing("gaming", [("Fine post", 10)]))
    report = run(svc, "reddit")  # /r/AndroidApps answers 404
    assert report.ok and report.outcomes[0].items == 1
    assert any("r/AndroidApps" in w and "404" in w for w in report.outcomes[0].warnings)


def test_x_needs_a_token_and_sends_it_as_bearer(standin: StandIn, svc: TrendsService, manager: Services) -> None:
    report = run(svc, "x")
    assert not report.ok and "no bearer token" in report.outcomes[0].error
    assert report.outcomes[0].remedy == SetCredential("x")
    manager.settings.set_credential("x", "AAAA-test-bearer")
    svc.update_settings(woeid=23424977)
    standin.routes["/trends/by/woeid/23424977"] = Reply(200, x_trends([("#SuperBowl", 120000), ("Taylor Swift", 80000)]))
    report = run(svc, "x")
    assert report.ok and report.outcomes[0].items == 2
    req = next(r for r in standin.requests if r.path.startswith("/trends/by/woeid"))
    assert req.headers["authorization"] == "Bearer AAAA-test-bearer"
    # the token is in no event and no stored trend
    assert "AAAA-test-bearer" not in str([e.event.payload() for e in manager.bus.history()])


def test_tiktok_hashtags(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/creative_radar_api/v1/popular_trend/hashtag/list"] = Reply(200, tiktok_hashtags([("fyp", 9_000_000), ("aiart", 120_000)]))
    report = run(svc, "tiktok")
    assert report.ok
    rows = {t["title"]: t for t in svc.list_trends(source="tiktok")}
    assert set(rows) == {"#fyp", "#aiart"} and rows["#fyp"]["volume"] == 9_000_000
    req = next(r for r in standin.requests if r.path.endswith("/hashtag/list"))
    assert req.query["country_code"] == ["US"] and req.query["period"] == ["7"]


def test_connection_refused_is_reported(svc: TrendsService, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TRENDFORGE_GOOGLE_TRENDS_BASE_URL", f"http://127.0.0.1:{port}")
    svc.retry_initial = 0.01
    report = run(svc, "google_trends")
    assert not report.ok and "cannot connect to 127.0.0.1" in report.outcomes[0].error
    assert "TRENDFORGE_GOOGLE_TRENDS_BASE_URL" in report.outcomes[0].error  # says what to check


def test_google_trends_falls_back_to_the_older_path(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/trends/trendingsearches/daily/rss"] = rss_reply(trends_rss([("Old path topic", "2,000+")]))
    report = run(svc, "google_trends")
    assert report.ok and report.outcomes[0].items == 1
    assert [r.path for r in standin.requests] == ["/trending/rss", "/trends/trendingsearches/daily/rss"]


def test_manager_close_closes_the_long_lived_client(standin: StandIn, svc: TrendsService, manager: Services) -> None:
    serve_defaults(standin)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(svc.sync())
        client = svc._client
        assert client is not None and not client.is_closed
        loop.run_until_complete(svc.sync())
        assert svc._client is client  # one client for the loop's life, reused by every sync
        manager.close()
        assert client.is_closed and svc._client is None
    finally:
        loop.close()


def test_pick_for_trend_to_release(standin: StandIn, svc: TrendsService) -> None:
    import pytest as _pytest

    from app.errors import NotFoundError

    with _pytest.raises(NotFoundError, match="sync the sources first") as refused:
        svc.pick()
    assert refused.value.remedy == SyncTrends()
    serve_defaults(standin)
    run(svc)
    best = svc.list_trends()[0]
    assert svc.pick()["trend_id"] == best["id"]
    other = svc.list_trends()[-1]
    assert svc.pick(trend_id=other["id"])["title"] == other["title"]
    with _pytest.raises(NotFoundError):
        svc.pick(min_score=101)


def test_oversized_body_is_refused_without_reading_it_all(standin: StandIn, svc: TrendsService, monkeypatch: pytest.MonkeyPatch) -> None:
    import services.trends.sources as sources

    monkeypatch.setattr(sources, "MAX_BODY", 64 * 1024)
    standin.routes["/trending/rss"] = rss_reply(trends_rss([(f"Topic {i}", "1,000+") for i in range(2000)]))  # ~1.3 MB
    report = run(svc, "google_trends")
    assert not report.ok and "larger than 65536 bytes" in report.outcomes[0].error


def test_a_broken_keyring_fails_only_that_source(standin: StandIn, svc: TrendsService, manager: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.errors import SecretStoreError

    def broken(name: str) -> str | None:
        raise SecretStoreError("the keyring is locked; unlock it and retry")

    monkeypatch.setattr(manager.settings, "credential", broken)
    svc.update_settings(enabled_sources=["google_trends", "x"])
    standin.routes["/trending/rss"] = rss_reply(trends_rss([("Still works", "1,000+")]))
    report = run(svc)
    outcome = {o.source: o for o in report.outcomes}
    assert outcome["google_trends"].ok and outcome["google_trends"].items == 1
    assert not outcome["x"].ok and "keyring is locked" in outcome["x"].error


def test_reddit_stops_when_the_rate_limit_is_spent(standin: StandIn, svc: TrendsService) -> None:
    spent = {"x-ratelimit-used": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "300"}
    standin.routes["/r/AndroidApps/hot.json"] = Reply(200, reddit_listing("AndroidApps", [("Last one for now", 10)]), spent)
    standin.routes["/r/gaming/hot.json"] = Reply(200, reddit_listing("gaming", [("Never asked", 10)]))
    report = run(svc, "reddit")
    assert report.ok and report.outcomes[0].items == 1
    assert any("rate limit exhausted" in w for w in report.outcomes[0].warnings)
    assert "/r/gaming/hot.json" not in {r.path for r in standin.requests}
    h = next(h for h in svc.source_health() if h["name"] == "reddit")
    assert h["notes"]["ratelimit"]["remaining"] == "0"


def test_a_disabled_source_is_refused_in_one_line_and_not_tried(standin: StandIn, svc: TrendsService) -> None:
    assert "tiktok" not in [s.value for s in svc.enabled_sources()]  # opt-in

    async def go() -> None:
        try:
            await svc.sync("tiktok")
        finally:
            await svc.aclose()

    with pytest.raises(UserError, match="source tiktok is disabled, so it was not synced"):
        asyncio.run(go())
    assert standin.requests == []
    health = next(h for h in svc.source_health() if h["name"] == "tiktok")
    assert health["failures"] == 0 and health["last_attempt"] is None


def test_testing_a_typed_x_token_fetches_once_and_stores_nothing(standin: StandIn, svc: TrendsService,
                                                                 manager: Services) -> None:
    standin.routes["/trends/by/woeid/1"] = Reply(200, x_trends([("#SuperBowl", 120000), ("Taylor Swift", 80000)]))
    answer = svc.test_connection("x", "AAAA-typed-bearer")
    assert answer == "X answered with 2 trends (first: #SuperBowl)"
    assert [r.headers["authorization"] for r in standin.requests] == ["Bearer AAAA-typed-bearer"]
    assert manager.settings.credential("x") is None and svc.list_trends(source="x") == []


def test_testing_a_refused_x_token_says_access_was_refused(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/trends/by/woeid/1"] = Reply(401, b'{"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}')
    with pytest.raises(ProviderError, match=r"^x: access refused \(HTTP 401\); check the credential"):
        svc.test_connection("x", "AAAA-revoked-bearer")


def test_testing_the_stored_tiktok_headers_sends_them(standin: StandIn, svc: TrendsService,
                                                      manager: Services) -> None:
    standin.routes["/creative_radar_api/v1/popular_trend/hashtag/list"] = Reply(200, tiktok_hashtags([("fyp", 9_000_000)]))
    manager.settings.set_credential("tiktok", "Cookie: sessionid=abc123")
    assert svc.test_connection("tiktok") == "TikTok answered with 1 trend (first: #fyp)"
    assert standin.requests[-1].headers["cookie"] == "sessionid=abc123"


def test_testing_tiktok_refused_gives_its_code_and_message(standin: StandIn, svc: TrendsService) -> None:
    standin.routes["/creative_radar_api/v1/popular_trend/hashtag/list"] = Reply(200, b'{"code": 40101, "msg": "no permission"}')
    with pytest.raises(ProviderError, match=r"^tiktok: API code 40101: no permission$"):
        svc.test_connection("tiktok", "Cookie: sessionid=expired")


def test_a_source_without_a_credential_has_no_connection_test(svc: TrendsService) -> None:
    with pytest.raises(UserError, match="reddit needs no credential"):
        svc.test_connection("reddit")


def test_testing_a_token_from_a_worker_runs_on_the_applications_loop(standin: StandIn, svc: TrendsService,
                                                                     qapp: QApplication,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    standin.routes["/trends/by/woeid/1"] = Reply(200, x_trends([("#SuperBowl", 120000)]))
    ran_on: list[asyncio.AbstractEventLoop] = []
    test_async = svc.test_connection_async

    async def watched(source: str, token: str | None = None) -> str:  # a spy: the real call, and where it ran
        ran_on.append(asyncio.get_running_loop())
        return await test_async(source, token)

    monkeypatch.setattr(svc, "test_connection_async", watched)
    with app_loop(qapp, lent=True) as loop:
        async def from_a_worker() -> str:
            return await asyncio.to_thread(lambda: svc.test_connection("x", "AAAA-typed-bearer"))

        assert loop.run_until_complete(from_a_worker()).startswith("X answered")
        assert ran_on == [loop]
        loop.run_until_complete(svc.aclose())
