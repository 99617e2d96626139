"""Pruning the event log removes a prefix by position, never a cut by time with holes in it."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.core.migrate import upgrade
from app.domain.errors import CursorExpired
from app.live.hub import LiveHub
from app.live.replay import check_cursor, event_stream, prune
from app.models import Event, utcnow
from app.store import events as event_store
from tests.conftest import make_settings


async def concurrent_writers(db: Database, writers: int, each: int) -> None:
    """Like the actions: the time is taken first, the position when the counter row is locked."""
    rnd = random.Random(7)

    async def write(i: int) -> None:
        for _ in range(each):
            at = utcnow()
            await asyncio.sleep(rnd.random() * 0.01)
            async with db.write() as uow:
                await event_store.append_events(
                    uow.session, events=[{"kind": "ADDED", "data": {"w": i}}], at=at
                )

    await asyncio.gather(*(write(i) for i in range(writers)))


async def log(db: Database) -> list[tuple[int, datetime]]:
    async with db.read() as session:
        return [
            (e.position, e.at)
            for e in (await session.execute(select(Event).order_by(Event.position))).scalars()
        ]


async def take(db: Database, hub: LiveHub, after: int, n: int) -> list[int]:
    got: list[int] = []
    stream = event_stream(db, hub, lambda e: True, after=after)
    try:
        async with asyncio.timeout(10):
            async for event in stream:
                got.append(event.position)
                if len(got) == n:
                    break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return got


async def test_prune_keeps_a_contiguous_suffix_and_expires_exactly_the_cursors_inside_the_prefix(
    tmp_path: Path,
) -> None:
    db = Database(make_settings(tmp_path))
    hub = LiveHub(db, poll_seconds=0.1, queue_size=100)
    try:
        await upgrade(db)
        await concurrent_writers(db, writers=8, each=6)
        before = await log(db)
        last = before[-1][0]
        assert [p for p, _ in before] == list(range(1, last + 1))
        # an event written later in position order but earlier in time: a cut by time at the later
        # time would delete the later position and keep the earlier one
        inversions = [
            (p, at_p, max(q for q, at_q in before if at_q < at_p))
            for p, at_p in before
            if any(q > p and at_q < at_p for q, at_q in before)
        ]
        usable = [(p, at, cutoff) for p, at, cutoff in inversions if cutoff < last - 2]
        assert usable, "the writers did not interleave; the test proves nothing"
        kept_by_time, at, cutoff = usable[len(usable) // 2]

        removed = await prune(db, retention_seconds=0, now=at)  # retention ends at that event's time

        after = await log(db)
        assert [p for p, _ in after] == list(range(cutoff + 1, last + 1))  # a suffix, no holes
        assert removed == cutoff and kept_by_time <= cutoff
        with pytest.raises(CursorExpired):
            await check_cursor(db, cutoff - 1)
        await check_cursor(db, cutoff)  # the boundary: its next event is kept

        await hub.start()
        assert await take(db, hub, cutoff, last - cutoff) == list(range(cutoff + 1, last + 1))
        with pytest.raises(CursorExpired):  # replay notices the gap itself (a prune after the check)
            await take(db, hub, cutoff - 1, 1)
    finally:
        await hub.stop()
        await db.dispose()
