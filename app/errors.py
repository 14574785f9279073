"""Typed errors. A ``UserError`` carries a message a person can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.remedies import Remedy


class TrendForgeError(Exception):
    """Base of every error the app raises on purpose.

    ``remedy`` says what a person can do about it (``CreateKey("upload")``); the message itself names
    no command or flag: each interface renders the remedy its own way (a command line, a button).
    """

    def __init__(self, message: str = "", *, remedy: Remedy | None = None) -> None:
        super().__init__(message)
        self.remedy = remedy


class UserError(TrendForgeError):
    """Bad input or a state the user can fix; the message says what to do."""


class NotFoundError(UserError):
    """A referenced object does not exist."""


class ConflictError(UserError):
    """The operation conflicts with existing data (e.g. a duplicate id)."""


class NotIdempotentError(ConflictError):
    """A step (or compensation) that is not idempotent may already have taken effect, so it is not
    run again unless the person asks for it (force)."""


class StaleEditError(ConflictError):
    """An edit was made on a version of a row that someone else has changed since."""

    def __init__(self, message: str, *, changed_by: str | None, version: int) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.version = version


class ProviderError(TrendForgeError):
    """A remote provider or external tool failed.

    ``transient`` errors (connection drops, 429, 5xx, timeouts) may be retried;
    permanent ones must not be.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        transient: bool = False,
        retry_after: float | None = None,
        status_code: int | None = None,
        remedy: Remedy | None = None,
    ) -> None:
        super().__init__(message, remedy=remedy)
        self.provider = provider
        self.transient = transient
        self.retry_after = retry_after
        self.status_code = status_code


class ToolError(TrendForgeError):
    """An external program is missing or failed."""


class SecretStoreError(UserError):
    """The OS keyring is unavailable or refused the operation."""
