"""Relay global ids: base64("TypeName:pk"), the same encoding strawberry.relay uses."""

from __future__ import annotations

import base64
import binascii

from app.domain.errors import InvalidInput

# Primary keys are INTEGER columns (32 bits on PostgreSQL): a larger number names nothing, and
# passing it to the database would fail there instead of saying "not found".
MAX_PK = 2**31 - 1


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def parse_global_id(value: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when `value` is not one of our ids."""
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
        type_name, _, pk = decoded.partition(":")
        # ASCII digits only ("٣".isdigit() is true), no sign, no leading zeros, within range
        if not type_name or not (pk.isascii() and pk.isdigit()) or (len(pk) > 1 and pk[0] == "0"):
            return None
        number = int(pk)
        return (type_name, number) if number <= MAX_PK else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def expect_id(value: str, type_name: str, *, field: str) -> int:
    """The primary key of a `type_name` id; InvalidInput otherwise."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise InvalidInput(f"`{field}` is not a {type_name} id: {value!r}.", field=field)
    return parsed[1]
