"""What a workflow run is about, for the links between areas: its trend, the template it made, its build.

Read from the run's inputs and its steps' outputs (later steps win): an action that picks a trend returns
``trend_id``, one that creates a template ``template_id``, one that builds ``build_id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RunLinks:
    trend_id: str | None = None
    template_id: str | None = None
    build_id: str | None = None


def run_links(inputs: Mapping[str, object], outputs: Sequence[Mapping[str, object] | None]) -> RunLinks:
    found: dict[str, str] = {}
    for source in (inputs, *outputs):
        for key in ("trend_id", "template_id", "build_id"):
            value = (source or {}).get(key)
            if isinstance(value, str) and value:
                found[key] = value
    return RunLinks(found.get("trend_id"), found.get("template_id"), found.get("build_id"))
