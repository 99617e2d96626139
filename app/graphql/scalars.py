"""The DateTime scalar: ISO 8601 in, always an aware UTC datetime out of parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import dateutil.parser
import strawberry
from strawberry.types.scalar import ScalarDefinition

DATETIME_DESCRIPTION = (
    "Date with time, ISO 8601 (e.g. 2026-01-01T09:30:00+02:00). A value without a timezone is "
    "taken as UTC (a bare date means its midnight, UTC). Results are always in UTC."
)


def parse_datetime(value: object) -> datetime:
    """Naive values are UTC; everything becomes UTC so it compares with stored times."""
    if not isinstance(value, str):
        raise ValueError(f"DateTime expects an ISO 8601 string, not {type(value).__name__}.")
    try:
        parsed = dateutil.parser.isoparse(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"Not an ISO 8601 date and time: {value!r} ({exc}).") from None


def serialize_datetime(value: datetime) -> str:
    return value.isoformat()


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=DATETIME_DESCRIPTION,
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME}
