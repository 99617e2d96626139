"""The broadcast bus: the only module that imports broadcaster.

It carries small hints ("the log grew to position N") published after commit. The database
is the truth; a hint only says "look now". The bus reconnects with backoff when its backend
goes away and reports each (re)connection as a possible gap so listeners re-read the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
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
        broadcast = self._broadcast
        if broadcast is None or self.state != BusState.UP:
            log.warning("bus %s; hint %s not published (the safety poll will deliver)", self.state, position)
            return
        await broadcast.publish(CHANNEL, json.dumps({"p": position}))

    async def publish_users_changed(self, user_ids: frozenset[int]) -> None:
        """Tell every instance to forget what it knows of these users (ids only, in chunks that
        stay far below PostgreSQL NOTIFY's 8000 bytes)."""
        broadcast = self._broadcast
        if broadcast is None or self.state != BusState.UP:
            log.warning("bus %s; users-changed not published (other instances' caches expire)", self.state)
            return
        ordered = sorted(user_ids)
        for start in range(0, len(ordered), 500):
            await broadcast.publish(CHANNEL, json.dumps({"u": ordered[start : start + 500]}))

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
                    self._on_gap()  # anything published while we were away must be re-read
                    await self._pump(broadcast, subscriber)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # backend went away: reconnect
                log.warning("bus %s lost (%s); reconnecting in %.1fs", self.url, exc, backoff)
            finally:
                self._broadcast = None
                if self.state != BusState.CLOSED:
                    self.state = BusState.DOWN
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(2):
                        await broadcast.disconnect()
            self._on_gap()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

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
