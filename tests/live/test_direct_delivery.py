"""Direct delivery (app.live.direct) against a real event log and hub: sends that wait queue in
order, a subscriber too far behind re-reads the log and misses nothing, a pruned log ends it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.core.db import Database
from app.core.migrate import upgrade
from app.domain.errors import CursorExpired, DomainError
from app.live.direct import CLOSED, LIVE, DirectDelivery, start
from app.live.event_loading import LiveEvent
from app.live.hub import LiveHub
from app.live.replay import prune
from app.models import utcnow
from app.store import events as event_store
from tests.conftest import make_settings


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[LiveHub]:
    db = Database(make_settings(tmp_path))
    await upgrade(db)
    live = LiveHub(db, poll_seconds=0.05, queue_size=3)
    await live.start()
    yield live
    await live.stop()
    await db.dispose()


async def append(hub: LiveHub, count: int) -> None:
    for _ in range(count):
        async with hub.db.write() as uow:
            await event_store.append_events(uow.session, events=[{"kind": "ADDED", "data": {}}], at=utcnow())
    await hub.catch_up()


class Socket:
    """Collects frames; while `gate` is clear a send waits, as one to a client that reads slowly."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.ended: list[DomainError | None] = []

    async def send(self, text: str) -> None:
        await self.gate.wait()
        self.frames.append(text)

    async def on_end(self, error: DomainError | None) -> None:
        self.ended.append(error)

    def positions(self) -> list[int]:
        return [int(frame.removeprefix("<").removesuffix("}")) for frame in self.frames]


class WritableSocket(Socket):
    """A socket that also writes at once (like app/core/websocket_protocol.py's write_text_now)
    while the client reads, and says it cannot while it does not."""

    def __init__(self) -> None:
        super().__init__()
        self.written_at_once = 0
        self.waited = 0

    async def send(self, text: str) -> None:
        self.waited += 1
        await super().send(text)

    def send_now(self, text: str) -> bool:
        if not self.gate.is_set():
            return False
        self.frames.append(text)
        self.written_at_once += 1
        return True


def render(event: LiveEvent, shared: dict[Any, Any]) -> str:
    return str(event.position)


def deliver(hub: LiveHub, socket: Socket, position: int | None = None) -> DirectDelivery:
    subscription = hub.subscribe(lambda event: True)
    delivery = DirectDelivery(
        hub,
        accepts=lambda event: True,
        render=render,
        prefix="<",
        send=socket.send,
        send_now=getattr(socket, "send_now", None),
        on_end=socket.on_end,
        limit=hub.queue_size,
        position=subscription.after if position is None else position,
    )
    hub.adopt(subscription, delivery)
    return delivery


async def until(condition: Any, seconds: float = 10.0) -> None:
    """Wait until `condition()` holds (the server or a task gets there a moment later)."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still not true after {seconds} s")


async def test_sends_that_wait_queue_in_order_and_a_subscriber_far_behind_rereads_the_log(
    hub: LiveHub,
) -> None:
    socket = Socket()
    delivery = deliver(hub, socket)
    start_at = delivery.position
    await append(hub, 2)
    assert socket.positions() == [start_at + 1, start_at + 2]  # sent at once, no task
    socket.gate.clear()  # the client stops reading
    await append(hub, 3)  # one send waits, two queue behind it
    assert delivery.state == LIVE
    await append(hub, 5)  # more than the queue holds: it drops them and goes back to the log
    assert delivery.state != LIVE
    socket.gate.set()
    await until(lambda: len(socket.frames) == 10)
    assert socket.positions() == list(range(start_at + 1, start_at + 11))
    await until(lambda: delivery.state == LIVE)
    await append(hub, 2)  # live again
    await until(lambda: len(socket.frames) == 12)
    assert socket.positions() == list(range(start_at + 1, start_at + 13))
    assert socket.ended == []


async def test_frames_written_at_once_keep_their_order_with_those_that_wait(hub: LiveHub) -> None:
    socket = WritableSocket()
    delivery = deliver(hub, socket)
    start_at = delivery.position
    await append(hub, 2)
    assert socket.written_at_once == 2
    socket.gate.clear()  # the client stops reading: the writer says no, the send waits
    await append(hub, 2)
    assert socket.waited == 1 and len(socket.frames) == 2  # one send waits, one queued behind it
    socket.gate.set()
    await append(hub, 1)  # behind the two, whether they are out yet or not
    await until(lambda: len(socket.frames) == 5)
    assert socket.positions() == list(range(start_at + 1, start_at + 6))
    await until(lambda: delivery.state == LIVE and delivery._task is None)
    await append(hub, 2)  # nothing waits any more: written at once again
    assert socket.positions() == list(range(start_at + 1, start_at + 8))
    assert socket.waited + socket.written_at_once == 7 and socket.written_at_once >= 4
    assert socket.ended == []


async def test_a_delivery_that_starts_behind_the_hub_reads_the_log_first(hub: LiveHub) -> None:
    await append(hub, 4)
    socket = Socket()
    delivery = deliver(hub, socket, position=hub.position - 3)
    await append(hub, 1)  # arrives while it may still be reading the log: once, in order
    await until(lambda: len(socket.frames) == 4)
    await asyncio.sleep(0.05)
    assert socket.positions() == list(range(hub.position - 3, hub.position + 1))
    assert delivery.state == LIVE


async def test_a_log_pruned_past_the_subscriber_ends_it_with_cursor_expired(hub: LiveHub) -> None:
    await append(hub, 3)
    assert await prune(hub.db, retention_seconds=0) > 0
    socket = Socket()
    delivery = deliver(hub, socket, position=0)
    await until(lambda: socket.ended)
    assert isinstance(socket.ended[0], CursorExpired)
    assert delivery.state == CLOSED and hub.subscriber_count == 0
    assert socket.frames == []


async def test_closing_cancels_a_send_that_waits_and_leaves_the_hub(hub: LiveHub) -> None:
    socket = Socket()
    delivery = deliver(hub, socket)
    socket.gate.clear()
    await append(hub, 2)
    assert hub.subscriber_count == 1
    delivery.close()
    socket.gate.set()
    await asyncio.sleep(0.05)
    assert socket.frames == [] and hub.subscriber_count == 0
    await append(hub, 1)
    assert socket.frames == []


async def test_start_runs_a_coroutine_until_it_waits_and_finishes_it_as_a_task_would() -> None:
    steps: list[str] = []
    gate = asyncio.get_running_loop().create_future()

    async def at_once() -> None:
        steps.append("at once")

    async def waits() -> None:
        steps.append("began")
        steps.append(await gate)

    async def fails() -> None:
        await gate
        raise ValueError("after the wait")

    assert start(at_once()) is None and steps == ["at once"]
    rest = start(waits())
    failing = start(fails())
    assert rest is not None and failing is not None and steps == ["at once", "began"]
    gate.set_result("resumed")
    await rest
    assert steps == ["at once", "began", "resumed"]
    with pytest.raises(ValueError, match="after the wait"):
        await failing
