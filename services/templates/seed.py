"""Synthetic templates for benchmarks, tests and demos: rows only (no package folders),
inserted in bulk through the same table and FTS triggers as real imports."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from services.context import ServiceContext
from services.templates.models import TemplateRow

CATEGORIES = ("lifestyle", "games", "personalization", "education", "health", "finance", "music", "travel")
WORDS = ["quotes", "daily", "trivia", "quiz", "wallpaper", "gradient", "fitness", "habit", "tracker", "budget", "recipes", "meditation", "sleep", "flashcards", "language", "puzzle", "arcade", "retro", "neon", "minimal", "dark", "cozy", "kawaii", "anime", "space", "ocean", "forest", "city", "motivation", "stoic", "poetry", "jokes", "facts", "planets", "dinosaurs", "cats", "dogs", "coffee", "yoga", "running", "study", "exam", "music", "piano", "guitar", "lofi", "chill", "travel", "maps", "weather", "moon", "sun", "stars", "horoscope", "tarot", "zen", "garden", "plants"]


def seed_synthetic(ctx: ServiceContext, count: int, *, seed: int = 7, prefix: str = "synthetic",
                   batch: int = 5000) -> list[str]:
    """Insert ``count`` active templates with random titles, descriptions and tags; returns ids."""
    rng = random.Random(seed)
    now = ctx.clock()
    ids: list[str] = []
    rows: list[dict[str, object]] = []

    def flush() -> None:
        if rows:
            with ctx.new_uow() as uow:
                uow.session.execute(insert(TemplateRow), rows)
                uow.commit()
            rows.clear()

    for i in range(count):
        words = rng.sample(WORDS, 6)
        template_id = f"{prefix}-{i:06d}"
        ids.append(template_id)
        rows.append(
            {
                "id": template_id,
                "title": f"{words[0].title()} {words[1].title()} {i}",
                "category": rng.choice(CATEGORIES),
                "description": f"A {words[2]} app about {words[3]} and {words[4]} for {words[5]} fans.",
                "tags": rng.sample(WORDS, 3),
                "version": f"1.{i % 10}.0",
                "app_name": f"{words[0].title()} {words[1].title()}"[:50],
                "application_id": f"com.synthetic.app{i}",
                "min_sdk": 21,
                "target_sdk": 29,
                "price_amount": rng.choice((0, 99, 199, 299, 499)),
                "price_currency": "USD",
                "content": {"items": [words[0], words[1]]},
                "preview": None,
                "schema_version": 1,
                "status": "active",
                "has_package": False,
                "source": "synthetic",
                "rating_sum": 0,
                "rating_count": 0,
                "created_at": now - timedelta(minutes=i),
                "updated_at": now - timedelta(minutes=i),
            }
        )
        if len(rows) >= batch:
            flush()
    flush()
    return ids
