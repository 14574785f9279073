"""Templates search at a studio's scale: the panel's first page (200 rows, ranked where the match is
narrow enough to rank) over the 1,000,000 templates of bench/seeded.py, each query beside a LIKE
scan of the same columns, interleaved (FTS, LIKE, FTS, LIKE ...).

Three kinds of query, each reported apart because they stress different things: common prefixes
(what typing the first letters gives; LIKE finds 200 rows early in a scan and stops), rare words (a
handful of matches: LIKE scans nearly everything) and absent words (no match: LIKE scans
everything; it runs twice per such query, beside the FTS query's repetitions). Target: p95 under
10 ms for each kind (issue 14).

Run: .venv/bin/python bench/templates_search.py [--rows 1000000] [--reps 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import text  # noqa: E402

from app.templates.model import TemplateQuery  # noqa: E402
from bench import seeded  # noqa: E402
from bench.table import interleaved, load, median_ms, p95_ms, row  # noqa: E402
from services.bootstrap import bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402

PAGE = 200  # the Templates panel's page
TARGET_MS = 10.0
# seeded titles are "<Word> <word> <i>", descriptions eight of seeded.WORDS, 'zanzibar' in one template in 50,000
KINDS = {
    "common prefix": ["da", "qu", "wal", "tra", "fit"],
    "rare word": ["zanzibar", "424242", "999999"],
    "absent word": ["qqqxyz", "kumquat", "zebra"],
}
LIKE = ("SELECT id, title FROM templates WHERE status = 'active' AND (title LIKE :w OR description LIKE :w "
        "OR tags LIKE :w OR category LIKE :w) ORDER BY title LIMIT :limit")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    services = bootstrap(AppConfig(data_dir=seeded.data_dir(args.rows), log_to_file=False),
                         secrets=MemorySecretStore())
    svc = services.templates
    print(f"templates search over {args.rows:,} templates; {args.reps} interleaved repetitions per query; {load()}")
    try:
        with services.ctx.engine.connect() as conn:
            for kind, words in KINDS.items():
                ours: list[float] = []
                like: list[float] = []
                for word in words:
                    def fts(word: str = word) -> object:
                        svc.invalidate()  # the database, not the service's cache
                        return svc.find(TemplateQuery(search=word, limit=PAGE))

                    def scan(word: str = word) -> object:
                        return conn.execute(text(LIKE), {"w": f"%{word}%", "limit": PAGE}).all()

                    # a rare or absent word makes LIKE read every template (seconds at a million):
                    # two interleaved pairs, then the rest of the FTS samples
                    pairs = args.reps if kind == "common prefix" else min(2, args.reps)
                    a, b = interleaved(fts, scan, pairs)
                    for _ in range(args.reps - pairs):
                        start = time.perf_counter()
                        fts()
                        a.append(time.perf_counter() - start)
                    hits = len(svc.find(TemplateQuery(search=word, limit=PAGE)))
                    print(f"  {kind:14} {word!r:11} {hits:4} rows  FTS p50 {median_ms(a):8.2f} p95 {p95_ms(a):8.2f} ms"
                          f"   LIKE p50 {median_ms(b):8.2f} p95 {p95_ms(b):8.2f} ms")
                    ours.extend(a)
                    like.extend(b)
                row(f"template search p95, {kind} ({args.rows:,})", p95_ms(ours), p95_ms(like), "ms",
                    f"p95 < {TARGET_MS:.0f} ms", p95_ms(ours) < TARGET_MS)
    finally:
        services.close()
    print(load())


if __name__ == "__main__":
    main()
