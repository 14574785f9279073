"""Build outcomes are decided only in app/builds/outcome.py: no other module compares build states
(``state in (SIGNED, DEPLOYED)``, ``state == "built"``) or reaches for the raw state sets."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("app", "services", "ui", "bench")
# Where a state is compared to pick what to record for it, not to judge an outcome (path, function): reason
ALLOWED = {
    ("services/builds/pipeline.py", "where"): "what the log names for a pipeline mark",
    ("services/builds/service.py", "_on_job_mark"): "which event a pipeline mark records",
    ("services/builds/service.py", "_on_job_final"): "a failed end records BuildFailed, a cancelled one BuildCancelled",
    # the job's own state machine; the job runtime is being rewritten (issue 13 part B) and is to take
    # KEEPS_ARTIFACT / RETRYABLE from app.builds.outcome then
    ("services/builds/runner.py", "_advance"): "the job's own marks (to move to the outcome rules)",
    ("services/builds/runner.py", "_finish"): "the job's own end (to move to the outcome rules)",
}
STATE_SETS = {"FINAL_STATES", "SUCCESS_STATES", "ACTIVE_STATES", "ALL_STATES"}
STATE_WORDS = {"built", "signed", "deployed"}  # build-only state names (failed/running are shared with runs)


def _is_state_member(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "BuildState"
            and node.attr.isupper())


def _decides(node: ast.AST) -> bool:
    if _is_state_member(node):
        return True
    if isinstance(node, ast.Constant) and node.value in STATE_WORDS:
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_decides(e) for e in node.elts)
    return False


def offences(source: str, path: str) -> list[str]:
    """Places in ``source`` that decide a build outcome themselves (``path:line function``)."""
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and function == "<module>":
            function = node.name  # a method or function, with what is nested in it
        hit = False
        if isinstance(node, ast.Compare):
            hit = any(_decides(n) for n in (node.left, *node.comparators))
        elif isinstance(node, ast.Name | ast.alias):
            name = node.id if isinstance(node, ast.Name) else node.name
            hit = name in STATE_SETS
        if hit and (path, function) not in ALLOWED:
            found.append(f"{path}:{getattr(node, 'lineno', '?')} {function}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def test_no_module_outside_app_builds_decides_a_build_outcome() -> None:
    found: list[str] = []
    for folder in SCANNED:
        for p in sorted((ROOT / folder).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            if rel.startswith("app/builds/"):
                continue
            found += offences(p.read_text(encoding="utf-8"), rel)
    assert found == [], "use the predicates of app.builds.outcome (FINISHED, SUCCEEDED, ...) instead"


def test_the_scan_catches_a_state_tuple_a_state_word_and_a_state_set() -> None:
    source = (
        "from app.builds.model import SUCCESS_STATES\n"
        "def ok(info):\n"
        "    return info.state in (BuildState.SIGNED, BuildState.DEPLOYED)\n"
        "def web(state):\n"
        "    return state == 'built'\n"
    )
    assert offences(source, "ui/x.py") == ["ui/x.py:1 <module>", "ui/x.py:3 ok", "ui/x.py:5 web"]


def test_the_scan_lets_a_mapping_from_state_to_text_through() -> None:
    source = "TITLES = {BuildState.SIGNED: 'Build signed'}\ntitle = TITLES.get(info.state, 'Build finished')\n"
    assert offences(source, "ui/x.py") == []
