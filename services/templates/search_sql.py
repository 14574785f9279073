"""The SQL of the templates list that differs by backend: full-text match and rank, tags, upkeep.

SQLite searches the FTS5 table ``templates_fts`` (bm25, rowid = ``templates.seq``) and reads tags
with ``json_each``; PostgreSQL matches the generated ``templates.search`` tsvector (ts_rank) and
reads tags as ``jsonb``. The service builds the rest of each statement the same way on both.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.db import fulltext
from services.db.backend import Backend

# bm25 weights per FTS column: title, description, tags, category (PostgreSQL: weights A-D, see fulltext)
BM25 = "bm25(templates_fts, 10.0, 2.0, 5.0, 3.0)"


@dataclass(frozen=True)
class TemplateSearchSql:
    backend: Backend
    searched_source: str  # FROM when searching (``t`` is the templates row)
    match_where: str  # WHERE part: the row matches :match
    newest_first: str  # ORDER BY for a broad search: most recently added first
    relevance: str  # ORDER BY for a ranked search
    count_matches: str  # SELECT count(*) of the index entries matching :match, at most :cap of them
    tag_where: str  # WHERE part: the row carries :tag
    tag_counts: str  # SELECT tag, count(*) over active templates
    ranks_inside_index: bool  # SQLite: rank inside the FTS table first (see TemplatesService._ranked)
    upkeep: tuple[str, ...]  # maintenance statements after bulk loads

    def match(self, typed: str) -> str | None:
        return fulltext.query_text(self.backend, typed)


SQLITE = TemplateSearchSql(
    backend=Backend.SQLITE,
    # CROSS JOIN pins the FTS index as the outer loop (else SQLite may scan templates and probe MATCH per row)
    searched_source="templates_fts CROSS JOIN templates t ON t.seq = templates_fts.rowid",
    match_where="templates_fts MATCH :match",
    newest_first="templates_fts.rowid DESC",
    relevance=f"{BM25}, t.title",
    count_matches="SELECT count(*) FROM (SELECT 1 FROM templates_fts WHERE templates_fts MATCH :match LIMIT :cap)",
    tag_where="EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = :tag)",
    tag_counts=("SELECT j.value, count(*) FROM templates t, json_each(t.tags) j "
                "WHERE t.status = 'active' GROUP BY j.value ORDER BY count(*) DESC, j.value"),
    ranks_inside_index=True,
    upkeep=("INSERT INTO templates_fts(templates_fts) VALUES ('optimize')", "PRAGMA optimize"),
)

POSTGRESQL = TemplateSearchSql(
    backend=Backend.POSTGRESQL,
    searched_source="templates t",
    match_where=fulltext.matches(Backend.POSTGRESQL, "t", ""),
    newest_first="t.seq DESC",
    relevance=f"{fulltext.rank('t')} DESC, t.title",
    count_matches=(f"SELECT count(*) FROM (SELECT 1 FROM templates t WHERE {fulltext.matches(Backend.POSTGRESQL, 't', '')} "
                   "LIMIT :cap) m"),
    tag_where="(t.tags::jsonb) ? :tag",
    tag_counts=("SELECT j.value, count(*) FROM templates t CROSS JOIN LATERAL jsonb_array_elements_text(t.tags::jsonb) "
                "AS j(value) WHERE t.status = 'active' GROUP BY j.value ORDER BY count(*) DESC, j.value"),
    ranks_inside_index=False,
    upkeep=("ANALYZE templates",),
)


def for_backend(backend: Backend) -> TemplateSearchSql:
    return POSTGRESQL if backend is Backend.POSTGRESQL else SQLITE
