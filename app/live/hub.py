"""Live delivery: one log reader per process fans events out to local subscriptions.

The hub reads the event log once per hint (or per safety tick) and hands each event, with
the message row and the audience already loaded, to every subscription; a subscription only
runs a cheap predicate. Nothing here re-executes per subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from app.core.db import Database
from app.core.outages import database_unavailable
from app.core.websocket_protocol import FrameBatch, frames_batched
from app.live.event_loading import LiveEvent, read_events
from app.store import events as event_store

if TYPE_CHECKING:
    from app.live.direct import DirectDelivery

log = logging.getLogger(__name__)

BATCH = 500
# At most this long the hub waits for the writes queued when it woke (app.core.db): under a burst
# of sends one read and one round of frames serve several events; with no write queued, no wait.
BATCH_WAIT_SECONDS = 0.02
SETUP_SLOTS = 8  # subscriptions reading the database to start, at once (the SQLite pool holds 15)


class SubscriptionClosed(Exception):
    """The subscription fell behind; app.live.replay re-reads the log from its last position."""


class LiveSubscription:
    """What one subscriber has not taken yet. An idle subscription holds no buffer: a queue is
    made on the first event and dropped once drained, and a waiter future exists only while
    the consumer waits (an asyncio.Queue costs about 3 KB per subscriber, idle or not)."""

    __slots__ = ("_hub", "_accepts", "after", "_size", "_pending", "_waiter", "overflowed")

    def __init__(self, hub: LiveHub, accepts: Callable[[LiveEvent], bool], after: int, size: int) -> None:
        self._hub = hub
        self._accepts = accepts
        self.after = after
        self._size = size
        self._pending: deque[LiveEvent] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False

    def offer(self, event: LiveEvent) -> None:
        if event.position <= self.after or self.overflowed or not self._accepts(event):
            return
        pending = self._pending
        if pending is None:
            pending = self._pending = deque()
        if len(pending) >= self._size:
            # never buffer without bound: drop what is queued and tell the consumer to re-read the log
            self.overflowed = True
            self._hub.overflows += 1
            self._pending = None
        else:
            pending.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    @property
    def accepts(self) -> Callable[[LiveEvent], bool]:
        return self._accepts

    def close(self) -> None:
        self._hub._subscriptions.discard(self)

    async def __aiter__(self) -> AsyncIterator[LiveEvent]:
        try:
            while True:
                if self.overflowed:
                    raise SubscriptionClosed("The subscriber fell behind and was closed.")
                pending = self._pending
                if not pending:
                    self._waiter = asyncio.get_running_loop().create_future()
                    try:
                        await self._waiter
                    finally:
                        self._waiter = None
                    continue
                event = pending.popleft()
                if not pending:
                    self._pending = None
                yield event
        finally:
            self._hub._subscriptions.discard(self)


class LiveHub:
    def __init__(self, db: Database, *, poll_seconds: float, queue_size: int) -> None:
        self._db = db
        self._poll_seconds = poll_seconds
        self.queue_size = queue_size
        self._subscriptions: set[LiveSubscription] = set()
        self._direct: set[DirectDelivery] = set()  # live subscriptions with no task (app.live.direct)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.position = 0
        self._hinted = 0  # the highest position a hint named
        self._gap = True  # a hint may have been missed: read the log's end, not the hint
        self.overflows = 0  # subscriptions that fell behind and went back to the log
        self._outage = False  # the last read failed because the database was unavailable
        # a storm of subscribes waits here, in turn, rather than on the pool, which gives up after 30 s
        self.setups = asyncio.Semaphore(SETUP_SLOTS)

    @property
    def db(self) -> Database:
        return self._db

    async def start(self) -> None:
        async with self._db.read() as session:
            self.position = await event_store.last_position(session)
        self._task = asyncio.create_task(self._run(), name="parley-live-hub")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def hint(self, position: int) -> None:
        if position > self.position:
            self._hinted = max(self._hinted, position)
            self._wake.set()

    def gap(self) -> None:
        self._gap = True
        self._wake.set()

    def subscribe(self, accepts: Callable[[LiveEvent], bool]) -> LiveSubscription:
        sub = LiveSubscription(self, accepts, self.position, self.queue_size)
        self._subscriptions.add(sub)
        return sub

    def adopt(self, subscription: LiveSubscription, delivery: DirectDelivery) -> None:
        """`delivery` takes over from `subscription` (whose queue, if any, it re-reads from the
        log): with no await between, no event falls between the two."""
        subscription.close()
        self._direct.add(delivery)
        delivery.catch_up()

    def drop(self, delivery: DirectDelivery) -> None:
        self._direct.discard(delivery)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions) + len(self._direct)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                if self._subscriptions or self._direct:
                    # the sends queued behind the one that woke us: their events in the same read
                    await self._db.after_queued_writes(BATCH_WAIT_SECONDS)
                await self.catch_up()
            except Exception as exc:
                if not database_unavailable(exc):
                    log.exception("live hub failed to read the event log; retrying")
                elif not self._outage:  # an outage is expected: one warning, no traceback
                    log.warning("live hub cannot read the event log (database unavailable): %s", exc)
                self._outage = True
                await asyncio.sleep(min(self._poll_seconds, 1.0))
            else:
                if self._outage:
                    log.warning("live hub reads the event log again")
                self._outage = False

    async def catch_up(self) -> None:
        if not self._subscriptions and not self._direct and await self._skipped_ahead():
            return
        while True:
            events = await self._load(self.position)
            with frames_batched() as frames:  # one write per socket for the batch's frames
                for event in events:
                    for sub in list(self._subscriptions):
                        sub.offer(event)
                    memo: dict[Any, bool] = {}
                    chosen = [delivery for delivery in self._direct if delivery.wants(event, memo)]
                    # before any await: a delivery reading the log stops at this position, then goes live
                    self.position = event.position
                    if chosen:
                        await self._deliver(event, chosen, frames)
            if len(events) < BATCH:
                return

    @staticmethod
    async def _deliver(event: Any, chosen: list[DirectDelivery], frames: FrameBatch) -> None:
        shared: dict[Any, Any] = {}  # what subscribers who get the same result render once
        for delivery in chosen:
            later = delivery.take(event, shared)
            if later is not None:
                frames.flush()  # nothing held may be overtaken by what other tasks send meanwhile
                await later

    async def _skipped_ahead(self) -> bool:
        """With no subscription there is nobody to hand events to: move to the end of the log
        without reading the events (a send commits no re-read). Positions commit in order, so a
        hint names the end unless one was missed; then (and on the safety tick) read the end.

        False when someone subscribed while the end was read: they start at the position from
        before the read, so the events up to the end are theirs and must be read, not skipped."""
        if self._hinted > self.position and not self._gap:
            self.position = self._hinted
            return True
        self._gap = False
        async with self._db.read() as session:
            last = await event_store.last_position(session)
        if self._subscriptions or self._direct:
            return False
        self.position = max(self.position, last)
        return True

    async def _load(self, after: int) -> list[LiveEvent]:
        async with self._db.read() as session:
            return await read_events(session, after=after, limit=BATCH)
