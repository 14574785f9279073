"""Match trends to templates by category, tags and text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from app.trends.correlate import text_similarity
from app.trends.normalize import fold, tokens


@dataclass(frozen=True)
class TemplateInfo:
    """What matching needs to know of a template (the templates area owns the rest)."""

    id: str
    name: str
    category: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""


class TemplateMatchDict(TypedDict):
    template_id: str
    name: str
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class TemplateMatch:
    template_id: str
    name: str
    score: float
    reasons: tuple[str, ...]

    def to_dict(self) -> TemplateMatchDict:
        return {"template_id": self.template_id, "name": self.name, "score": self.score, "reasons": list(self.reasons)}


def match_templates(
    title: str,
    category: str,
    templates: Iterable[TemplateInfo],
    *,
    n: int = 5,
    min_score: float = 0.15,
) -> list[TemplateMatch]:
    """Score = 0.4 category match + 0.35 share of the trend's words among the template's tags
    + 0.25 text similarity of title vs template name and description; best first."""
    words = set(tokens(title))
    cat = fold(category).strip()
    out: list[TemplateMatch] = []
    for t in templates:
        reasons: list[str] = []
        score = 0.0
        tcat = fold(t.category).strip()
        if cat and tcat and (cat == tcat or cat in tcat or tcat in cat):
            score += 0.4
            reasons.append(f"category {t.category}")
        tag_words = {w for tag in t.tags for w in tokens(tag)}
        hits = sorted(words & tag_words)
        if words and hits:
            score += 0.35 * len(hits) / len(words)
            reasons.append("tags " + ", ".join(hits))
        text = max(text_similarity(title, t.name), text_similarity(title, t.description) if t.description else 0.0)
        if text > 0:
            score += 0.25 * text
            if text >= 0.2:
                reasons.append(f"text {text:.2f}")
        if score >= min_score:
            out.append(TemplateMatch(t.id, t.name, round(score, 3), tuple(reasons)))
    out.sort(key=lambda m: (-m.score, m.name))
    return out[:n]


def tags_of(values: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(v) for v in values if str(v).strip())
