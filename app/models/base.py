"""Column types and helpers shared by the table models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite reuses the largest rowid after it is deleted unless the table is AUTOINCREMENT
# (migration 0008); every table whose id is handed out by the database carries this.
NEVER_REUSED_IDS: Any = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Default factories for JSON columns. Not the builtins `list` and `dict`: pydantic reads a default
# factory's signature each time it calls it, and a builtin's is parsed from its text with `ast`
# (75 µs, against 5 for a Python function), so building a Message took 270 µs instead of 75.
def empty_list() -> list[Any]:
    return []


def empty_dict() -> dict[str, Any]:
    return {}


def fk(target: str, *, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        sa_column=Column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index),
        default=None if nullable else ...,
    )


def when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )
