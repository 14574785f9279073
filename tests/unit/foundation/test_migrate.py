"""The fast head computation agrees with alembic's graph."""

from __future__ import annotations

from services.db import migrate


def test_fast_heads_match_alembic() -> None:
    assert migrate.head_revisions() == migrate.alembic_head_revisions()
    assert migrate.head_revisions()  # at least the foundation
