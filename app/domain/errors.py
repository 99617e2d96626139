"""Domain exceptions. Each has a stable code; the GraphQL layer maps them to typed results."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    code = "INVALID_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "You must be logged in.") -> None:
        super().__init__(message)


class InvalidCredentials(DomainError):
    """Login failed; never says whether the username exists."""

    code = "UNAUTHENTICATED"

    def __init__(self) -> None:
        super().__init__("Unknown username or wrong password.")


class Forbidden(DomainError):
    code = "FORBIDDEN"

    def __init__(self, message: str, *, right: str | None = None, parameter: str | None = None) -> None:
        super().__init__(message)
        self.right = right
        self.parameter = parameter


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, message: str = "Not found.", *, id: str | None = None) -> None:
        super().__init__(message)
        self.id = id


class InvalidInput(DomainError):
    code = "INVALID_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    code = "CONFLICT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AmbiguousReference(DomainError):
    code = "AMBIGUOUS_REFERENCE"

    def __init__(self, message: str, *, ids: Sequence[str]) -> None:
        super().__init__(message)
        self.ids = list(ids)


class OwnerMismatch(DomainError):
    code = "OWNER_MISMATCH"


class LimitExceeded(DomainError):
    code = "LIMIT_EXCEEDED"

    def __init__(self, message: str, *, limit: int, field: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.field = field


class RegistrationClosed(Forbidden):
    def __init__(self) -> None:
        super().__init__("Registration is disabled on this server.", parameter="registration")


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CursorExpired(DomainError):
    code = "CURSOR_EXPIRED"
