"""Domain errors: the stable code each carries and the details the GraphQL results expose."""

from __future__ import annotations

import pytest

from app.domain import errors
from app.domain.errors import (
    AmbiguousReference,
    Conflict,
    CursorExpired,
    DomainError,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    LimitExceeded,
    NotFound,
    OwnerMismatch,
    RateLimited,
    RegistrationClosed,
    Unauthenticated,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (DomainError("x"), "INVALID_INPUT"),
        (Unauthenticated(), "UNAUTHENTICATED"),
        (InvalidCredentials(), "UNAUTHENTICATED"),
        (Forbidden("no"), "FORBIDDEN"),
        (RegistrationClosed(), "FORBIDDEN"),
        (NotFound(), "NOT_FOUND"),
        (InvalidInput("bad"), "INVALID_INPUT"),
        (Conflict("taken"), "CONFLICT"),
        (AmbiguousReference("two", ids=["a", "b"]), "AMBIGUOUS_REFERENCE"),
        (OwnerMismatch("not yours"), "OWNER_MISMATCH"),
        (LimitExceeded("many", limit=3), "LIMIT_EXCEEDED"),
        (CursorExpired("gone"), "CURSOR_EXPIRED"),
        (RateLimited("slow down", retry_after=2.5), "RATE_LIMITED"),
    ],
)
def test_every_error_has_its_stable_code_and_message(error: DomainError, code: str) -> None:
    assert error.code == code
    assert isinstance(error, DomainError)
    assert error.message == str(error) and error.message


def test_every_domain_error_class_is_listed_above() -> None:
    listed = {
        DomainError, Unauthenticated, InvalidCredentials, Forbidden, RegistrationClosed, NotFound,
        InvalidInput, Conflict, AmbiguousReference, OwnerMismatch, LimitExceeded, CursorExpired, RateLimited,
    }  # fmt: skip
    defined = {v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, DomainError)}
    assert defined == listed


def test_default_messages() -> None:
    assert Unauthenticated().message == "You must be logged in."
    assert NotFound().message == "Not found." and NotFound().id is None
    # a failed login never says which half was wrong
    assert "username or" in InvalidCredentials().message and "password" in InvalidCredentials().message


def test_details_travel_with_the_error() -> None:
    forbidden = Forbidden("no", right="ADMIN", parameter="readOnly")
    assert (forbidden.right, forbidden.parameter) == ("ADMIN", "readOnly")
    assert Forbidden("no").right is None and Forbidden("no").parameter is None
    assert NotFound("gone", id="TWVzc2FnZToxMg==").id == "TWVzc2FnZToxMg=="
    assert InvalidInput("bad", field="text").field == "text"
    assert Conflict("taken", field="username").field == "username"
    ids = ("a", "b")
    ambiguous = AmbiguousReference("two", ids=ids)
    assert ambiguous.ids == ["a", "b"] and isinstance(ambiguous.ids, list)
    limited = LimitExceeded("many", limit=3, field="first")
    assert (limited.limit, limited.field) == (3, "first")


def test_registration_closed_is_a_forbidden_naming_the_parameter() -> None:
    closed = RegistrationClosed()
    assert isinstance(closed, Forbidden)
    assert closed.parameter == "registration" and closed.right is None
