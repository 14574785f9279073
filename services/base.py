"""Base of every service: TTL caching, per-operation metrics, retries, validation, health."""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from cachetools import TTLCache

from app.errors import ProviderError, TrendForgeError, UserError
from app.health import Health, HealthState
from app.remedies import Remedy
from services.context import ServiceContext
from services.db.preflight import disk_full, is_disk_full
from services.metrics import ServiceMetrics
from services.redaction import scrub, scrub_error, scrub_lines

if TYPE_CHECKING:
    from tenacity import RetryCallState

# tenacity (~10 ms to import) is loaded by the first retry: a command that calls no provider never needs it

P = ParamSpec("P")
T = TypeVar("T")

_MISSING = object()


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.transient


class RetryAfterWait:
    """Exponential backoff with jitter, but at least what a 429's Retry-After asked for."""

    def __init__(self, initial: float, maximum: float) -> None:
        from tenacity import wait_exponential_jitter

        self._backoff = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)
        self._maximum = maximum

    def __call__(self, state: RetryCallState) -> float:
        base = float(self._backoff(state))
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, ProviderError) and exc.retry_after is not None:
            return max(base, min(exc.retry_after, self._maximum * 4))
        return base


def operation(func: Callable[P, T]) -> Callable[P, T]:
    """Record count, errors and latency of a service method under its name."""
    name = func.__name__

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            self: BaseService = args[0]
            start = time.perf_counter()
            failed = True
            try:
                result = await func(*args, **kwargs)
                failed = False
                return result
            except TrendForgeError as exc:
                scrub_error(exc, self.ctx.secrets.known_values)  # what the CLI and GUI show is redacted
                raise
            except Exception as exc:
                if is_disk_full(exc, self.ctx.data_dir):  # one line naming the full disk, not a traceback
                    raise disk_full(self.ctx.data_dir) from exc
                raise
            finally:
                self.metrics.op(name).observe(time.perf_counter() - start, failed=failed)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        self: BaseService = args[0]  # type: ignore[assignment]
        start = time.perf_counter()
        failed = True
        try:
            result = func(*args, **kwargs)
            failed = False
            return result
        except TrendForgeError as exc:
            scrub_error(exc, self.ctx.secrets.known_values)  # what the CLI and GUI show is redacted
            raise
        except Exception as exc:
            if is_disk_full(exc, self.ctx.data_dir):  # one line naming the full disk, not a traceback
                raise disk_full(self.ctx.data_dir) from exc
            raise
        finally:
            self.metrics.op(name).observe(time.perf_counter() - start, failed=failed)

    return wrapper


class BaseService:
    """Subclasses set ``name`` and decorate public methods with :func:`operation`."""

    name = "service"
    retry_attempts = 4
    retry_initial = 0.2
    retry_max = 5.0

    def __init__(self, ctx: ServiceContext, *, cache_ttl: float | None = None, cache_size: int = 512) -> None:
        self.ctx = ctx
        self.metrics = ServiceMetrics()
        ttl = ctx.config.cache_ttl if cache_ttl is None else cache_ttl
        self._cache: TTLCache[Hashable, Any] = TTLCache(maxsize=cache_size, ttl=ttl)
        # services are called from the GUI thread and from background jobs alike
        self._cache_lock = threading.RLock()
        self._generation = 0

    # -- caching ------------------------------------------------------------------
    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._cache_lock:
            value = self._cache.get(key, _MISSING)
            if value is not _MISSING:
                self.metrics.cache_hits += 1
                return value  # type: ignore[no-any-return]
            self.metrics.cache_misses += 1
            generation = self._generation
        value = compute()
        with self._cache_lock:
            if generation == self._generation:  # no write happened meanwhile
                self._cache[key] = value
        return value

    def drop_expired(self) -> None:
        """Let go of the cached reads whose time is up: the cache only hides them, and keeps them
        (a page of rows per search typed) until it is next written."""
        with self._cache_lock:
            self._cache.expire()

    def invalidate(self) -> None:
        """Drop every cached read; called after each write."""
        with self._cache_lock:
            self._generation += 1
            self._cache.clear()

    # -- retries ------------------------------------------------------------------
    def _retry_kwargs(self, attempts: int | None) -> dict[str, Any]:
        from tenacity import retry_if_exception, stop_after_attempt

        return {
            "retry": retry_if_exception(is_transient),
            "stop": stop_after_attempt(attempts or self.retry_attempts),
            "wait": RetryAfterWait(self.retry_initial, self.retry_max),
            "reraise": True,
        }

    def with_retry(self, call: Callable[[], T], *, attempts: int | None = None) -> T:
        """Run ``call``, retrying only transient ``ProviderError``s with backoff and jitter."""
        from tenacity import Retrying

        for attempt in Retrying(**self._retry_kwargs(attempts)):
            with attempt:
                return call()
        raise AssertionError("unreachable")  # pragma: no cover

    async def with_retry_async(
        self, call: Callable[[], Awaitable[T]], *, attempts: int | None = None
    ) -> T:
        from tenacity import AsyncRetrying

        async for attempt in AsyncRetrying(**self._retry_kwargs(attempts)):
            with attempt:
                return await call()
        raise AssertionError("unreachable")  # pragma: no cover

    def redact(self, text: str) -> str:
        """``text`` with every secret the store knows masked (for logs and messages this service writes)."""
        return scrub(text, self.ctx.secrets.known_values)

    def redact_lines(self, lines: Sequence[str]) -> list[str]:
        """:meth:`redact` of each line (a batch with nothing to mask is decided at once)."""
        return scrub_lines(lines, self.ctx.secrets.known_values)

    # -- validation -----------------------------------------------------------------
    @staticmethod
    def require(condition: object, message: str, remedy: Remedy | None = None) -> None:
        """Raise a ``UserError`` with an actionable ``message`` (and what to do) unless ``condition`` holds."""
        if not condition:
            raise UserError(message, remedy=remedy)

    # -- health ---------------------------------------------------------------------
    def health(self) -> Health:
        return Health(self.name, HealthState.OK)
