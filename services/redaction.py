"""Every secret the store knows is masked in all text that is stored or shown, decided here.

The rule (known secret values, and anything shaped like a key or token) is :func:`app.redact.redact`;
this module applies it at the few places every such text passes through:

- the database: a ``before_cursor_execute`` hook masks string parameters of every statement, so no
  row, event payload or error column ever holds a secret, whichever area writes it;
- errors raised by service operations (``services.base.operation``), which the CLI and GUI show;
- build logs (``BuildJob``) and the log file (``services.logs``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event

from app.errors import TrendForgeError
from app.redact import redact, redact_lines

Known = Callable[[], Iterable[str]]
# Rows are rewritten only for secrets this long: a short typed password ("android") would otherwise
# mask ordinary data that happens to contain it. Generated keys, tokens and API keys are all longer.
MIN_STORED_SECRET = 12


def scrub(text: str, known: Known) -> str:
    return redact(text, known())


def scrub_lines(lines: Sequence[str], known: Known) -> list[str]:
    return redact_lines(lines, known())


def scrub_error(exc: TrendForgeError, known: Known) -> None:
    """Mask secrets in an error's message in place (its type, remedy and cause stay)."""
    exc.args = tuple(redact(a, known()) if isinstance(a, str) else a for a in exc.args)


def batch_may_hold_secret(rows: Sequence[Any], secrets: Sequence[str]) -> bool:
    """Whether any row of a batch may hold a secret: one search over all the batch's strings,
    separated by a character no secret holds, instead of a search per row (for a batch of 1,000
    events that was a sixth of the cost of publishing them, once a secret is known). A secret is
    found where a row holds it and nowhere else (not across two values), as row by row.
    """
    values: Iterable[Any]
    if all(type(r) is tuple for r in rows):  # a driver-level batch (the event store's): no ABC check per row
        values = itertools.chain.from_iterable(rows)
    else:
        values = itertools.chain.from_iterable(
            r.values() if isinstance(r, Mapping) else r if isinstance(r, Iterable) and not isinstance(r, str) else ()
            for r in rows)
    text = "\0".join([v for v in values if isinstance(v, str)])
    return any(s in text for s in secrets)


def install_on_engine(engine: Engine, known: Known) -> None:
    """Mask secrets in every string bound to a statement on ``engine``."""

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                              executemany: bool) -> tuple[str, Any]:
        secrets = [s for s in known() if s and len(s) >= MIN_STORED_SECRET]
        if not secrets or not parameters:
            return statement, parameters

        def clean(value: Any) -> Any:
            if isinstance(value, str) and any(s in value for s in secrets):
                return redact(value, secrets)
            return value

        def holds_secret(params: Any) -> bool:
            # one search over the row's strings, joined by a character no secret holds: most rows hold none,
            # and are then bound as they came, without rebuilding them value by value
            values = params.values() if isinstance(params, Mapping) else params
            if isinstance(values, str) or not isinstance(values, Iterable):
                return False
            text = "\0".join(v for v in values if isinstance(v, str))
            return any(s in text for s in secrets)

        def clean_params(params: Any) -> Any:
            if not holds_secret(params):
                return params
            if isinstance(params, Mapping):
                return {k: clean(v) for k, v in params.items()}
            if isinstance(params, Sequence) and not isinstance(params, str):
                return type(params)(clean(v) for v in params) if isinstance(params, tuple) else [clean(v) for v in params]
            return params

        # A multi-row VALUES batch (SQLAlchemy's "insertmanyvalues", an executemany with RETURNING) is flagged
        # executemany but binds one flat row of values: that row is cleaned as one statement's.
        if executemany and _is_row(next(iter(parameters), None)):
            if not batch_may_hold_secret(parameters, secrets):
                return statement, parameters
            return statement, [clean_params(p) for p in parameters]
        return statement, clean_params(parameters)

    event.listen(engine, "before_cursor_execute", before_cursor_execute, retval=True)


def _is_row(value: Any) -> bool:
    return isinstance(value, Mapping) or (isinstance(value, Sequence) and not isinstance(value, (str, bytes)))
