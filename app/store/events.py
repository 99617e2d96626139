"""The durable event log.

Positions come from a counter row that every writing transaction updates: the row lock is
held until commit, so on PostgreSQL as on SQLite a later position is never visible before
an earlier one (a plain serial id can commit out of order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Event, EventCounter
from app.store.rows import record_type, records, select_records


async def append_events(
    session: AsyncSession, *, events: Sequence[dict[str, Any]], at: datetime
) -> list[Event]:
    """Append events (dicts of Event fields without position/at) in one counter step; they come
    back as read-only records."""
    if not events:
        return []
    last = (await session.execute(_COUNT_UP, {"n": len(events)})).scalar_one_or_none()
    if last is None:  # the counter row is created by the first migration; repair if missing
        start = int((await session.execute(select(func.coalesce(func.max(Event.position), 0)))).scalar_one())
        session.add(EventCounter(id=1, value=start + len(events)))
        await session.flush()
        last = start + len(events)
    first = int(last) - len(events) + 1
    rows = [
        {**_EVENT_DEFAULTS, "data": {}, **e, "position": first + i, "at": at}  # a dict of its own each
        for i, e in enumerate(events)
    ]
    await session.execute(insert(_EVENTS), rows)  # Core: the log is never read back as objects here
    return [_EVENT(**row) for row in rows]


_EVENTS = Event.__table__  # type: ignore[attr-defined]
_EVENT: Any = record_type(Event)  # what append_events returns: read-only records (app/store/rows.py)
_EVENT_DEFAULTS: dict[str, Any] = {column.name: None for column in _EVENTS.columns}
_EVENTS_AFTER = (
    select_records(Event)
    .where(_EVENTS.c.position > bindparam("position"))
    .order_by(_EVENTS.c.position)
    .limit(bindparam("limit"))
)
_COUNTER = EventCounter.__table__  # type: ignore[attr-defined]
_COUNT_UP = (  # built once; a Core UPDATE, with no ORM objects to synchronize
    update(_COUNTER)
    .where(_COUNTER.c.id == 1)
    .values(value=_COUNTER.c.value + bindparam("n"))
    .returning(_COUNTER.c.value)
)


async def events_after(session: AsyncSession, *, position: int, limit: int) -> list[Event]:
    """In log order, as read-only records (app/store/rows.py): the log alone. The live hub reads
    it with each event's message and author (app/store/live_batches.py)."""
    rows = (await session.execute(_EVENTS_AFTER, {"position": position, "limit": limit})).all()
    return records(Event, rows)


async def last_position(session: AsyncSession) -> int:
    value = (await session.execute(select(func.max(Event.position)))).scalar_one_or_none()
    return int(value or 0)


async def log_bounds(session: AsyncSession) -> tuple[int | None, int]:
    """(the oldest position still kept, or None when empty; the last position handed out)."""
    oldest = (await session.execute(select(func.min(Event.position)))).scalar_one_or_none()
    counter = (
        await session.execute(select(EventCounter.value).where(EventCounter.id == 1))
    ).scalar_one_or_none()
    return oldest, int(counter or 0)


async def prune_before(session: AsyncSession, *, before: datetime) -> int:
    """Forget a prefix of the log: every event up to the newest one older than `before`.

    Never a cut by time: `at` is taken before the counter lock, so under concurrent writers a later
    position can carry an earlier time, and deleting `at < before` would drop p + 1 and keep p: a
    subscriber resuming from p would skip p + 1 without CURSOR_EXPIRED. What survives is always a
    contiguous suffix, so "the oldest kept position" tells exactly which cursors expired.
    """
    cutoff = (
        await session.execute(select(func.max(Event.position)).where(Event.at < before))
    ).scalar_one_or_none()
    if cutoff is None:
        return 0
    result = await session.execute(delete(Event).where(Event.position <= cutoff))
    return int(result.rowcount or 0)
