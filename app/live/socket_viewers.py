"""Every open websocket's user, re-read for all sockets at once every few seconds.

A socket authenticates once, in connection_init. So that a group left, a right withdrawn or a
logout reaches subscriptions already open, one task per process re-reads the users of all open
sockets every `live_auth_refresh_seconds`: three queries (tokens, rights, groups) per thousand
sockets. It hands each socket its fresh viewer, or closes it when its token no longer holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.access.authentication import authenticate_many
from app.core.auth import Viewer
from app.core.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Socket:
    token: str
    on_viewer: Callable[[Viewer], None]
    on_revoked: Callable[[], Awaitable[None]]


class SocketViewers:
    def __init__(self, db: Database, period_seconds: float) -> None:
        self.db = db
        self.period = period_seconds
        self._open: dict[int, _Socket] = {}
        self._keys = itertools.count(1)
        self._task: asyncio.Task[None] | None = None

    def add(
        self, token: str, on_viewer: Callable[[Viewer], None], on_revoked: Callable[[], Awaitable[None]]
    ) -> int:
        """Track a socket; the key to remove it with (never reused)."""
        key = next(self._keys)
        self._open[key] = _Socket(token, on_viewer, on_revoked)
        return key

    def remove(self, key: int) -> None:
        self._open.pop(key, None)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="parley-socket-viewers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.refresh()
            except Exception:  # the database is briefly unavailable: keep the last known viewers
                log.warning("could not re-read the users of open websockets", exc_info=True)

    async def refresh(self) -> None:
        sockets = dict(self._open)
        if not sockets:
            return
        viewers = await authenticate_many(self.db, {s.token for s in sockets.values()})
        revoked = []
        for key, socket in sockets.items():
            if self._open.get(key) is not socket:  # closed meanwhile
                continue
            viewer = viewers.get(socket.token)
            if viewer is not None:
                socket.on_viewer(viewer)
            else:
                self.remove(key)
                revoked.append(socket.on_revoked())
        # closed side by side: a client slow to answer its close holds up no other socket
        for outcome in await asyncio.gather(*revoked, return_exceptions=True):
            if isinstance(outcome, Exception):  # already closing
                log.debug("websocket already closed", exc_info=outcome)
