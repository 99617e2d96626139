"""Every open websocket's user, re-read at once when the bus says a user changed, and for all
sockets every few seconds.

A socket authenticates once, in connection_init. So that a group left, a right withdrawn or a
logout reaches subscriptions already open, one task per process re-reads the users of open
sockets: those of the users a commit changed as soon as the bus reports it (from any instance),
and all of them every `live_auth_refresh_seconds` (for what no bus message reports: an expired
token, a change made by a command on another machine): three queries (tokens, rights, groups)
per thousand sockets. It hands each socket its fresh viewer, or closes it when its token no
longer holds.
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
    user_id: int
    on_viewer: Callable[[Viewer], None]
    on_revoked: Callable[[], Awaitable[None]]


class SocketViewers:
    def __init__(self, db: Database, period_seconds: float) -> None:
        self.db = db
        self.period = period_seconds
        self._open: dict[int, _Socket] = {}
        self._keys = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._changed: set[int] = set()
        self._wake = asyncio.Event()

    def add(
        self,
        token: str,
        user_id: int,
        on_viewer: Callable[[Viewer], None],
        on_revoked: Callable[[], Awaitable[None]],
    ) -> int:
        """Track a socket; the key to remove it with (never reused)."""
        key = next(self._keys)
        self._open[key] = _Socket(token, user_id, on_viewer, on_revoked)
        return key

    def users_changed(self, user_ids: frozenset[int]) -> None:
        """Re-read the sockets of these users now (in the background)."""
        self._changed |= user_ids
        self._wake.set()

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
        loop = asyncio.get_running_loop()
        due = loop.time() + self.period
        while True:
            try:
                async with asyncio.timeout(max(0.0, due - loop.time())):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            changed, self._changed = self._changed, set()
            everyone = loop.time() >= due
            try:
                await self.refresh(None if everyone else changed)
            except Exception:  # the database is briefly unavailable: keep the last known viewers
                self._changed |= changed
                log.warning("could not re-read the users of open websockets", exc_info=True)
            if everyone:
                due = loop.time() + self.period

    async def refresh(self, user_ids: set[int] | None = None) -> None:
        """Re-read the sockets of `user_ids` (all sockets when None)."""
        sockets = {k: s for k, s in self._open.items() if user_ids is None or s.user_id in user_ids}
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
