"""The Error interface, its typed members, and how domain exceptions map onto them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from app.core.outages import database_unavailable
from app.domain import errors as domain
from app.graphql.unstorable import name_lone_surrogate

log = logging.getLogger("app.graphql")


@strawberry.enum
class ErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    CONFLICT = "CONFLICT"
    AMBIGUOUS_REFERENCE = "AMBIGUOUS_REFERENCE"
    OWNER_MISMATCH = "OWNER_MISMATCH"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"


@strawberry.interface(description="Every expected failure is a typed member of a result union.")
class Error:
    code: ErrorCode
    message: str


@strawberry.type
class UnauthenticatedError(Error):
    pass


@strawberry.type
class ForbiddenError(Error):
    right: str | None = strawberry.field(default=None, description="The missing system right.")
    parameter: str | None = strawberry.field(
        default=None, description="The rule or topic parameter that refused the action."
    )


@strawberry.type
class NotFoundError(Error):
    ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The ids that were not found (empty when none applies)."
    )


@strawberry.type
class InvalidInputError(Error):
    field: str | None = strawberry.field(default=None, description="The offending input field.")


@strawberry.type
class ConflictError(Error):
    field: str | None = None


@strawberry.type
class AmbiguousReferenceError(Error):
    ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.type
class OwnerMismatchError(Error):
    pass


@strawberry.type
class LimitExceededError(Error):
    limit: int = 0
    field: str | None = None


@strawberry.type
class RateLimitedError(Error):
    retry_after_seconds: float = strawberry.field(default=0.0, description="Try again after this long.")


class DomainErrorHandler:
    """Maps one domain exception type to its GraphQL error type (strawberry ExceptionHandler)."""

    def __init__(
        self, exception_type: type[Exception], error_type: type, build: Callable[[Any], Any]
    ) -> None:
        self.exception_type = exception_type
        self.error_type = error_type
        self._build = build

    def handle(self, exception: Any, *, field: Any, info: Any) -> Any:
        return self._build(exception)


def _code(e: domain.DomainError) -> ErrorCode:
    return ErrorCode(e.code)


EXCEPTION_HANDLERS = [
    DomainErrorHandler(
        domain.InvalidCredentials,
        UnauthenticatedError,
        lambda e: UnauthenticatedError(code=_code(e), message=e.message),
    ),
    DomainErrorHandler(
        domain.Unauthenticated,
        UnauthenticatedError,
        lambda e: UnauthenticatedError(code=_code(e), message=e.message),
    ),
    DomainErrorHandler(
        domain.Forbidden,
        ForbiddenError,
        lambda e: ForbiddenError(code=_code(e), message=e.message, right=e.right, parameter=e.parameter),
    ),
    DomainErrorHandler(
        domain.NotFound,
        NotFoundError,
        lambda e: NotFoundError(code=_code(e), message=e.message, ids=[e.id] if e.id else []),
    ),
    DomainErrorHandler(
        domain.InvalidInput,
        InvalidInputError,
        lambda e: InvalidInputError(code=_code(e), message=e.message, field=e.field),
    ),
    DomainErrorHandler(
        domain.Conflict,
        ConflictError,
        lambda e: ConflictError(code=_code(e), message=e.message, field=e.field),
    ),
    DomainErrorHandler(
        domain.AmbiguousReference,
        AmbiguousReferenceError,
        lambda e: AmbiguousReferenceError(code=_code(e), message=e.message, ids=e.ids),
    ),
    DomainErrorHandler(
        domain.OwnerMismatch,
        OwnerMismatchError,
        lambda e: OwnerMismatchError(code=_code(e), message=e.message),
    ),
    DomainErrorHandler(
        domain.LimitExceeded,
        LimitExceededError,
        lambda e: LimitExceededError(code=_code(e), message=e.message, limit=e.limit, field=e.field),
    ),
    DomainErrorHandler(
        domain.RateLimited,
        RateLimitedError,
        lambda e: RateLimitedError(code=_code(e), message=e.message, retry_after_seconds=e.retry_after),
    ),
]


def error_result(exc: domain.DomainError) -> Any:
    """The typed error for a domain exception caught by hand (per-item results)."""
    for handler in EXCEPTION_HANDLERS:
        if isinstance(exc, handler.exception_type):
            return handler.handle(exc, field=None, info=None)
    raise exc


ERROR_TYPES = [
    RateLimitedError,
    UnauthenticatedError,
    ForbiddenError,
    NotFoundError,
    InvalidInputError,
    ConflictError,
    AmbiguousReferenceError,
    OwnerMismatchError,
    LimitExceededError,
]


def is_unexpected(error: GraphQLError) -> bool:
    """A bug or an outage, as opposed to the client's own mistake or a typed domain error."""
    original = error.original_error
    if original is None:  # syntax, validation, limits, variables: the client's own mistake
        return False
    return not isinstance(original, domain.DomainError | GraphQLError)


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, domain.DomainError):
        return original.code
    return str((error.extensions or {}).get("code") or "INVALID_INPUT")


def log_expected_errors(errors: list[GraphQLError], request_id: str) -> None:
    """One INFO line each, no traceback: expected errors are not incidents. Unexpected ones are
    logged once, where they are masked."""
    for error in errors:
        if not is_unexpected(error):
            path = ".".join(map(str, error.path or [])) or "-"
            log.info("%s in %s: %s (request id %s)", error_code(error), path, error.message, request_id)


class MaskUnexpectedErrors(MaskErrors):
    """Expected errors keep their message and get `extensions.code`; everything else is masked
    for the client and logged with the request id (an unreachable database as UNAVAILABLE)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Unexpected error.")

    def _process_result(self, result: object) -> None:
        # strawberry checks `isinstance(result, _ResultWithErrors)`, a runtime Protocol: about 8%
        # of a live delivery's CPU went to that check alone. A plain attribute read does the same.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "-"))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self._request_id()
        where = ".".join(map(str, error.path or [])) or "-"
        if error.original_error is not None and database_unavailable(error.original_error):
            log.warning(
                "database unavailable in %s (request id %s): %s: %s",
                where,
                request_id,
                type(error.original_error).__name__,
                error.original_error,
            )
            response = getattr(self.execution_context.context, "response", None)
            if response is not None and hasattr(response, "status_code"):  # HTTP: a 503
                response.status_code = 503
            message = f"The database is unavailable; try again later (request id {request_id})."
            code = "UNAVAILABLE"
        else:
            log.error(
                "unexpected error in %s (request id %s)", where, request_id, exc_info=error.original_error
            )
            message = f"Unexpected error (request id {request_id})."
            code = "INTERNAL"
        return rewritten(error, message, extensions={"code": code, "requestId": request_id})

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        out = super()._process_errors(errors)
        for error in out:
            original = error.original_error
            if isinstance(original, domain.DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code}
                field = getattr(original, "field", None)
                if field:
                    error.extensions["field"] = field
            elif not (error.extensions or {}).get("code"):  # the document or the variables
                name_lone_surrogate(error)
                error.extensions = {**(error.extensions or {}), "code": "INVALID_INPUT"}
        settings = getattr(self.execution_context.context, "settings", None)
        if settings is not None and settings.is_production:
            # introspection is off: "Did you mean 'viewer'?" would enumerate the schema anyway
            out = [without_suggestions(e) for e in out]
        return out


_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def without_suggestions(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return rewritten(error, message, extensions=error.extensions, original_error=error.original_error)


def rewritten(
    error: GraphQLError, message: str, *, extensions: Any, original_error: Exception | None = None
) -> GraphQLError:
    """The same error (where it points) with another message and extensions."""
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original_error,
        extensions=extensions,
    )
