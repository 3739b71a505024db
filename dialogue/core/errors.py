"""Domain errors. Services raise these; the web layer maps them to pages in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Something the user asked for cannot be done; the message is safe to show."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    """The actor may not act on this object."""


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    """Input that fails validation: a message per field, already translated."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Throttled(DomainError):
    """Too many attempts; try again after wait_seconds."""

    def __init__(self, wait_seconds: int, message: str) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
