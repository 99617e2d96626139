"""Small input validators shared by actions."""

from __future__ import annotations

import re

from app.domain.errors import InvalidInput, LimitExceeded

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username or ""):
        raise InvalidInput(
            "A username has 2-40 letters, digits, '.', '_' or '-', starting with a letter or digit.",
            field="username",
        )
    return username


def check_locale(locale: str | None, *, field: str = "locale") -> str | None:
    if locale is None:
        return None
    if not LOCALE_RE.match(locale):
        raise InvalidInput(f"{locale!r} is not a locale such as 'en' or 'de-CH'.", field=field)
    return locale


def check_text(value: str, *, field: str, max_length: int, allow_empty: bool = False) -> str:
    if not allow_empty and not value.strip():
        raise InvalidInput(f"`{field}` must not be empty.", field=field)
    if len(value) > max_length:
        raise LimitExceeded(
            f"`{field}` is {len(value)} characters long; the limit is {max_length}.",
            limit=max_length,
            field=field,
        )
    return value


def check_optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    return check_text(value, field=field, max_length=max_length)


def check_url(value: str, *, field: str) -> str:
    if not re.match(r"^https?://\S+$", value) or len(value) > 2000:
        raise InvalidInput(f"`{field}` must be an http(s) URL of at most 2000 characters.", field=field)
    return value
