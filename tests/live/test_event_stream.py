"""The event stream under pressure: a slow consumer re-reads the log instead of buffering forever."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.actions.accounts import do_create_user
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.core.settings import Settings
from app.live.hub import LiveHub
from app.live.replay import event_stream
from tests.conftest import make_settings


async def started_hub(
    tmp_path: Path, *, poll_seconds: float, queue_size: int
) -> tuple[Settings, Database, LiveHub, Viewer]:
    """A migrated database, a started hub on it, and a user (ann) to write as."""
    settings = make_settings(tmp_path)
    db = Database(settings)
    await upgrade(db)
    hub = LiveHub(db, poll_seconds=poll_seconds, queue_size=queue_size)
    await hub.start()
    async with db.write() as uow:
        user = await do_create_user(
            uow, Passwords(settings), settings, username="ann", password="password-123"
        )
    assert user.id is not None
    return settings, db, hub, Viewer(user_id=user.id, username="ann")


async def test_a_slow_consumer_falls_back_to_the_log_and_misses_nothing(tmp_path: Path) -> None:
    # tiny queues: overflow on purpose
    settings, db, hub, viewer = await started_hub(tmp_path, poll_seconds=0.05, queue_size=2)
    stream = event_stream(db, hub, lambda e: e.kind == "ADDED", after=None)
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.1)
    for i in range(12):
        async with db.write() as uow:
            await do_send_message(
                uow, settings, viewer, MessageDraft(destination="/Private/ann", text=f"m{i}")
            )
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # the hub hands out events faster than we take them: the queue overflows
    positions = [(await asyncio.wait_for(first, 5)).position]
    for _ in range(11):
        positions.append((await asyncio.wait_for(stream.__anext__(), 5)).position)
    assert positions == sorted(positions) and len(set(positions)) == 12
    assert hub.overflows >= 1  # it did fall behind ...
    assert hub.subscriber_count == 1  # ... and re-registered once it had caught up from the log
    await stream.aclose()
    await hub.stop()
    await db.dispose()


async def test_a_subscriber_who_joins_while_the_hub_reads_the_logs_end_misses_nothing(
    tmp_path: Path,
) -> None:
    """With nobody subscribed, the hub's safety tick reads the log's end and jumps there. Someone
    who subscribes during that read starts at the position from before it, so the hub must hand
    them the events the read found, not skip them (a client test once waited for such an event)."""
    # no tick of its own: the test drives it
    settings, db, hub, viewer = await started_hub(tmp_path, poll_seconds=3600, queue_size=10)
    async with db.write() as uow:
        await do_send_message(uow, settings, viewer, MessageDraft(destination="/Private/ann", text="hi"))
    # committed, and no hint: only a read of the log's end finds it
    reading = asyncio.ensure_future(hub.catch_up())
    await asyncio.sleep(0)
    assert not reading.done()  # the read of the log's end is under way ...
    subscription = hub.subscribe(lambda e: e.kind == "ADDED")  # ... when someone subscribes
    await reading
    event = await asyncio.wait_for(anext(aiter(subscription)), 5)
    assert event.kind == "ADDED" and event.position == hub.position
    assert event.message is not None and event.message.text == "hi"
    subscription.close()
    await hub.stop()
    await db.dispose()
