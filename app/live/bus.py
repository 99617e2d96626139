"""The broadcast bus: the only module that imports broadcaster.

It carries small hints ("the log grew to position N") published after commit to the other
instances (`memory://` reaches none: nothing is published there, the writer tells its own hub).
The database is the truth; a hint only says "look now". The bus reconnects with backoff when its backend
goes away and reports each (re)connection as a possible gap so listeners re-read the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from enum import StrEnum

from broadcaster import Broadcast

log = logging.getLogger(__name__)

CHANNEL = "parley_events"
HEARTBEAT_CHANNEL = "parley_heartbeat"


class BusState(StrEnum):
    CONNECTING = "connecting"
    UP = "up"
    DOWN = "down"
    CLOSED = "closed"


class Bus:
    def __init__(self, url: str, *, max_backoff: float = 5.0, heartbeat_seconds: float = 2.0) -> None:
        self.url = url
        self._heartbeat_seconds = heartbeat_seconds
        self.state = BusState.CONNECTING
        self._max_backoff = max_backoff
        self._broadcast: Broadcast | None = None
        self._task: asyncio.Task[None] | None = None
        self._on_hint: Callable[[int], None] = lambda _position: None
        self._on_gap: Callable[[], None] = lambda: None
        self._on_users: Callable[[frozenset[int]], None] = lambda _ids: None
        self._connected = asyncio.Event()
        self.unpublished = 0  # writes not published during the current outage
        self._lost_at: float | None = None
        # memory:// reaches no other process, and the publisher tells its own listeners itself
        # (app/core/services.py): publishing there would only come back to say it again
        self._loopback_only = url.startswith("memory://")

    def listen(
        self,
        *,
        on_hint: Callable[[int], None],
        on_gap: Callable[[], None],
        on_users: Callable[[frozenset[int]], None] = lambda _ids: None,
    ) -> None:
        """`on_hint(position)`: the log grew; `on_gap()`: anything may have been missed;
        `on_users(ids)`: these users' tokens, groups or rights changed."""
        self._on_hint, self._on_gap, self._on_users = on_hint, on_gap, on_users

    async def start(self, *, wait_seconds: float = 5.0) -> None:
        self._task = asyncio.create_task(self._run(), name="parley-bus")
        try:
            async with asyncio.timeout(wait_seconds):
                await self._connected.wait()
        except TimeoutError:
            log.warning(
                "bus %s not connected after %.0fs; continuing, delivery falls back to polling",
                self.url,
                wait_seconds,
            )

    async def stop(self) -> None:
        self.state = BusState.CLOSED
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    @property
    def is_up(self) -> bool:
        return self.state == BusState.UP

    async def publish_hint(self, position: int) -> None:
        await self._publish([json.dumps({"p": position})])

    async def publish_users_changed(self, user_ids: frozenset[int]) -> None:
        """Tell every instance to forget what it knows of these users (ids only, in chunks that
        stay far below PostgreSQL NOTIFY's 8000 bytes)."""
        ordered = sorted(user_ids)
        await self._publish([json.dumps({"u": ordered[i : i + 500]}) for i in range(0, len(ordered), 500)])

    async def _publish(self, messages: list[str]) -> None:
        """Publish, or count what could not be: while the bus is down, one warning per outage (every
        instance re-reads the log when its bus comes back, and caches clear), no traceback."""
        if self._loopback_only:
            return
        broadcast = self._broadcast
        try:
            if broadcast is None or self.state != BusState.UP:
                raise ConnectionError(f"bus {self.state}")
            async with asyncio.timeout(self._heartbeat_seconds):
                for message in messages:
                    await broadcast.publish(CHANNEL, message)
        except Exception as exc:  # the backend went away: _run notices and reconnects
            self.unpublished += 1
            if self.unpublished == 1:
                log.warning(
                    "bus %s: writes are not published until it is back (%s: %s); the others "
                    "re-read the event log then, and the safety poll delivers meanwhile",
                    self.url,
                    type(exc).__name__,
                    exc,
                )

    async def _run(self) -> None:
        backoff = 0.1
        while self.state != BusState.CLOSED:
            broadcast = Broadcast(self.url)
            try:
                await broadcast.connect()
                async with broadcast.subscribe(CHANNEL) as subscriber:
                    self._broadcast = broadcast
                    self.state = BusState.UP
                    self._connected.set()
                    backoff = 0.1
                    self._back()
                    self._on_gap()  # anything published while we were away must be re-read
                    await self._pump(broadcast, subscriber)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # backend went away: reconnect
                self._lost(exc)
            finally:
                self._broadcast = None
                if self.state != BusState.CLOSED:
                    self.state = BusState.DOWN
                await _close(broadcast)
            self._on_gap()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    def _lost(self, exc: Exception) -> None:
        """One warning when the bus goes away; the failed reconnects after it log at debug level."""
        if self._lost_at is None:
            self._lost_at = time.monotonic()
            log.warning("bus %s lost (%s: %s); reconnecting", self.url, type(exc).__name__, exc)
        else:
            log.debug("bus %s still down (%s: %s)", self.url, type(exc).__name__, exc)

    def _back(self) -> None:
        if self._lost_at is not None:
            log.warning(
                "bus %s back after %.1fs; %d writes were not published meanwhile",
                self.url,
                time.monotonic() - self._lost_at,
                self.unpublished,
            )
        self._lost_at, self.unpublished = None, 0

    async def _pump(self, broadcast: Broadcast, subscriber: object) -> None:
        listener: asyncio.Task[None] = broadcast._listener_task  # dies silently upstream: watch it
        heartbeat = asyncio.create_task(self._heartbeat(broadcast))
        try:
            await self._forward(subscriber, listener, heartbeat)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await heartbeat

    async def _heartbeat(self, broadcast: Broadcast) -> None:
        """Publish now and then: a dead connection (a terminated PostgreSQL LISTEN session leaves
        broadcaster waiting forever) shows up as a failed publish, and we reconnect."""
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            async with asyncio.timeout(self._heartbeat_seconds * 2):
                await broadcast.publish(HEARTBEAT_CHANNEL, "1")

    async def _forward(
        self, subscriber: object, listener: asyncio.Task[None], heartbeat: asyncio.Task[None]
    ) -> None:
        while True:
            getter = asyncio.ensure_future(subscriber.get())  # type: ignore[attr-defined]
            try:
                done, _ = await asyncio.wait(
                    {getter, listener, heartbeat}, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                if not getter.done():
                    getter.cancel()
            if getter not in done:
                failed = listener if listener in done else heartbeat
                exc = failed.exception() if not failed.cancelled() else None
                raise ConnectionError(f"bus connection lost: {exc!r}")
            self._dispatch(getter.result().message)

    def _dispatch(self, message: str) -> None:
        try:
            body = json.loads(message)
            if "u" in body:
                users = frozenset(int(i) for i in body["u"])
            else:
                position = int(body["p"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring malformed bus message %r", message)
            return
        if "u" in body:
            self._on_users(users)
        else:
            self._on_hint(position)


async def _close(broadcast: Broadcast) -> None:
    """Disconnect and end every task the broadcast and its backend started, even after a failed
    connect (broadcaster 0.3.1's `disconnect` then fails before reaching the backend, and the
    Redis backend's listener task, pending forever, is destroyed with it: one leaked task and a
    "Task was destroyed but it is pending" per reconnect attempt)."""
    tasks = [getattr(broadcast, "_listener_task", None)]
    tasks += [t for t in vars(broadcast._backend).values() if isinstance(t, asyncio.Task)]
    for task in tasks:
        if task is not None and not task.done():
            task.cancel()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2):
            await broadcast._backend.disconnect()
    for task in tasks:
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                async with asyncio.timeout(2):
                    await task
