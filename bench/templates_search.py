"""Templates search: FTS5 p50/p95 over 100,000 templates beside a plain LIKE scan (same run).

Target: FTS p95 under 15 ms for what the panel runs per keystroke on the GUI thread (the first
ranked page of 200). The total count runs in the background; its figures are printed too.
The synthetic corpus is deliberately dense (58-word vocabulary: a 2-letter prefix hits ~30%
of all templates), i.e. a worst case for ranking.
Run: .venv/bin/python bench/templates_search.py [N]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.templates.model import TemplateQuery
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from services.templates.seed import CATEGORIES, WORDS, seed_synthetic

TARGET_P95_MS = 15.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        config = AppConfig.from_env(Path(tmp))
        config.log_to_file = False
        manager = bootstrap(config, secrets=MemorySecretStore())
        svc = manager.templates
        t0 = time.perf_counter()
        seed_synthetic(manager.ctx, n)
        t1 = time.perf_counter()
        svc.optimize()  # what the app does after a bulk load: merge FTS segments, checkpoint the WAL
        print(f"seeded {n} templates in {t1 - t0:.1f} s, optimized index in {time.perf_counter() - t1:.1f} s")

        queries: list[tuple[str, str | None]] = []
        for _ in range(150):
            word = rng.choice(WORDS)
            kind = rng.random()
            if kind < 0.4:
                q = word[: rng.randint(2, len(word))]  # typing: a prefix
            elif kind < 0.8:
                q = f"{word} {rng.choice(WORDS)[:3]}"  # two words, last one partial
            else:
                q = word
            queries.append((q, rng.choice(CATEGORIES) if rng.random() < 0.3 else None))

        for q, category in queries[:30]:  # warm the page cache once (both paths read the same tables)
            svc.find(TemplateQuery(search=q, category=category, limit=200))
        fts_ms: list[float] = []
        like_ms: list[float] = []
        fts_count_ms: list[float] = []
        like_count_ms: list[float] = []
        hits_fts = hits_like = 0
        # Two separate passes (not interleaved) so a LIKE full scan does not evict the pages
        # the FTS queries need from SQLite's cache, and vice versa.
        for q, category in queries:
            svc.invalidate()  # measure the database, not the service cache
            query = TemplateQuery(search=q, category=category, limit=200)
            start = time.perf_counter()
            rows = svc.find(query)
            fts_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            svc.count(query)
            fts_count_ms.append((time.perf_counter() - start) * 1000)
            hits_fts += len(rows)
        with manager.ctx.engine.connect() as conn:
            for q, category in queries:
                # Baseline: the same page and count with LIKE over the same four columns.
                words = q.split()
                clauses = []
                params: dict[str, str] = {}
                for i, w in enumerate(words):
                    params[f"w{i}"] = f"%{w}%"
                    clauses.append(f"(title LIKE :w{i} OR description LIKE :w{i} OR tags LIKE :w{i} OR category LIKE :w{i})")
                where = "status = 'active' AND " + " AND ".join(clauses)
                if category:
                    where += " AND category = :cat"
                    params["cat"] = category
                start = time.perf_counter()
                page = conn.execute(text(f"SELECT id, title FROM templates WHERE {where} ORDER BY title LIMIT 200"), params).all()
                like_ms.append((time.perf_counter() - start) * 1000)
                if len(like_count_ms) < 40:  # a full scan per count: 40 samples keep the run under a minute
                    start = time.perf_counter()
                    conn.execute(text(f"SELECT count(*) FROM templates WHERE {where}"), params).scalar_one()
                    like_count_ms.append((time.perf_counter() - start) * 1000)
                hits_like += len(page)
        manager.close()

    f50, f95 = pct(fts_ms, 50), pct(fts_ms, 95)
    l50, l95 = pct(like_ms, 50), pct(like_ms, 95)
    print(f"queries: {len(queries)} (prefixes, two-word, with/without category), {n} templates")
    print(f"FTS5 first page (service.find, ranked):  p50 {f50:7.2f} ms   p95 {f95:7.2f} ms   mean {statistics.mean(fts_ms):.2f} ms")
    print(f"LIKE scan baseline (first page):         p50 {l50:7.2f} ms   p95 {l95:7.2f} ms   mean {statistics.mean(like_ms):.2f} ms")
    print(f"FTS5 total count (background):           p50 {pct(fts_count_ms, 50):7.2f} ms   p95 {pct(fts_count_ms, 95):7.2f} ms")
    print(f"LIKE total count baseline (40 queries):  p50 {pct(like_count_ms, 50):7.2f} ms   p95 {pct(like_count_ms, 95):7.2f} ms")
    print(f"ratio LIKE/FTS: p50 x{l50 / f50:.1f}, p95 x{l95 / f95:.1f}")
    print(f"target FTS p95 < {TARGET_P95_MS:.0f} ms: {'MET' if f95 < TARGET_P95_MS else 'MISSED'} ({f95:.2f} ms)")
    print(f"rows returned: FTS {hits_fts}, LIKE {hits_like} (LIKE also matches inside words)")


if __name__ == "__main__":
    main()
