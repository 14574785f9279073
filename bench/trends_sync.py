"""A sync of 1,000 items end to end against a local Reddit stand-in, beside the bare fetch.

End to end = HTTP (10 subreddit listings x 100 posts on 127.0.0.1) + JSON parsing + title
normalization + merging into trends + one snapshot each + momentum/score/tag + events, committed
to a real SQLite file. Baseline in the same run: fetching and JSON-decoding the same 10 listings
with httpx and nothing else (the floor any sync pays). Sync 1 discovers 1,000 trends; syncs 2-5 add
history to the same trends (the steady state of a scheduled sync).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from tests.support.trends_standins import REDDIT_RATE, Reply, StandIn, reddit_listing

SUBS = [f"sub{i}" for i in range(10)]
WORDS = ["pixel", "cozy", "retro", "farming", "quiz", "wallpaper", "tracker", "habit", "puzzle", "idle", "arcade", "space", "cat", "dog", "ai", "photo", "music", "workout", "budget", "recipe"]


def serve(standin: StandIn, rng: random.Random, round_: int) -> None:
    for s_i, sub in enumerate(SUBS):
        posts = []
        for p in range(100):
            r = random.Random(s_i * 1000 + p)  # same titles each round, new scores
            title = " ".join(r.sample(WORDS, 3)) + f" {s_i}-{p}"
            posts.append((title, int(r.uniform(10, 5000) * (1 + 0.3 * round_ * rng.random()))))
        standin.routes[f"/r/{sub}/hot.json"] = Reply(200, reddit_listing(sub, posts), REDDIT_RATE)


async def bare_fetch(base: str) -> int:
    n = 0
    async with httpx.AsyncClient() as client:
        for sub in SUBS:
            resp = await client.get(f"{base}/r/{sub}/hot.json", params={"limit": 100})
            n += len(json.loads(resp.content)["data"]["children"])
    return n


def main() -> None:
    standin = StandIn().start()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["TRENDFORGE_REDDIT_BASE_URL"] = standin.url
        config = AppConfig.from_env(tmp)
        config.log_to_file = False
        manager = bootstrap(config, secrets=MemorySecretStore())
        svc = manager.trends
        svc.update_settings(enabled_sources=["reddit"], subreddits=SUBS)
        serve(standin, rng, 0)

        t0 = time.perf_counter()
        n = asyncio.run(bare_fetch(standin.url))
        t_base = time.perf_counter() - t0

        async def sync_rounds() -> list[tuple[float, int, int]]:
            out = []
            for round_ in range(5):
                serve(standin, rng, round_)
                t = time.perf_counter()
                report = await svc.sync()
                out.append((time.perf_counter() - t, report.items, report.discovered))
                assert report.ok, report.to_dict()
            await svc.aclose()
            return out

        rounds = asyncio.run(sync_rounds())
        counts = svc.counts()
        t0 = time.perf_counter()
        rows = svc.list_trends(limit=500, with_series=True)
        t_list = time.perf_counter() - t0
        t0 = time.perf_counter()
        svc.related(rows[0]["id"])
        t_related = time.perf_counter() - t0
        manager.close()
    standin.stop()
    first, *rest = rounds
    steady = sum(r[0] for r in rest) / len(rest)
    print(f"trends sync of {n} items end to end (10 subreddits x 100 posts, local stand-in, real SQLite)")
    print(f"  baseline: bare fetch + JSON decode  {t_base * 1000:7.1f} ms")
    print(f"  sync 1 (1,000 new trends)          {first[0] * 1000:7.1f} ms   {first[0] / t_base:5.1f}x baseline   {first[1] / first[0]:,.0f} items/s   discovered {first[2]}")
    print(f"  syncs 2-5 (adding history), mean   {steady * 1000:7.1f} ms   {steady / t_base:5.1f}x baseline   {1000 / steady:,.0f} items/s")
    print(f"  stored: {counts['trends']} trends, {counts['snapshots']} snapshots")
    print(f"  then: list 500 with sparklines {t_list * 1000:.1f} ms; related() over {counts['trends']} trends {t_related * 1000:.1f} ms")


if __name__ == "__main__":
    main()
