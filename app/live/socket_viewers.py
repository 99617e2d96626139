"""Every open websocket's user, re-read at once when the bus says a user changed, and for all
sockets every few seconds.

A socket authenticates once, in connection_init. So that a group left, a right withdrawn or a
logout reaches subscriptions already open, one task per process re-reads the users of open
sockets: those of the users a commit changed as soon as the bus reports it (from any instance),
and all of them every `live_auth_refresh_seconds` (for what no bus message reports: an expired
token, a change made by a command on another machine): three queries (tokens, rights, groups)
per thousand sockets. It hands each socket its fresh viewer, or closes it when its token no
longer holds. A socket is also closed the moment its token expires (a timer per socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.access.authentication import authenticate_many
from app.core.auth import Viewer, hash_token
from app.core.db import Database
from app.core.viewer_cache import ViewerCache
from app.models import utcnow
from app.store import tokens as token_store

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Socket:
    token: str
    user_id: int
    on_viewer: Callable[[Viewer], None]
    on_revoked: Callable[[], Awaitable[None]]
    expiry: asyncio.TimerHandle | None = None


class SocketViewers:
    def __init__(self, db: Database, period_seconds: float, cache: ViewerCache | None = None) -> None:
        self.db = db
        self.period = period_seconds
        self.cache = cache
        self._expiring: set[asyncio.Task[None]] = set()
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
        expires_at: datetime | None = None,
    ) -> int:
        """Track a socket, closed with `on_revoked` at `expires_at`; the key to remove it with
        (never reused)."""
        key = next(self._keys)
        socket = _Socket(token, user_id, on_viewer, on_revoked)
        if expires_at is not None:
            delay = max(0.0, (expires_at - utcnow()).total_seconds())
            socket.expiry = asyncio.get_running_loop().call_later(delay, self._expire, key)
        self._open[key] = socket
        return key

    async def expiry_of(self, token: str) -> datetime:
        """When this token expires: from the viewer cache, else one query (now, if it has)."""
        token_hash, now = hash_token(token), utcnow()
        entry = self.cache.get(token_hash, now) if self.cache is not None else None
        if entry is not None:
            return entry.expires_at
        async with self.db.read() as session:
            found = await token_store.get_token_user(session, token_hash=token_hash, now=now)
        if found is None:  # expired since it was authenticated: close at once
            return now
        expires_at = found[0].expires_at
        return expires_at if expires_at.tzinfo is not None else expires_at.replace(tzinfo=UTC)

    def _expire(self, key: int) -> None:
        socket = self._open.pop(key, None)
        if socket is None:
            return
        task = asyncio.create_task(self._close(socket), name="parley-socket-expired")
        self._expiring.add(task)
        task.add_done_callback(self._expiring.discard)

    @staticmethod
    async def _close(socket: _Socket) -> None:
        try:
            await socket.on_revoked()
        except Exception:  # already closing
            log.debug("websocket already closed", exc_info=True)

    def users_changed(self, user_ids: frozenset[int]) -> None:
        """Re-read the sockets of these users now (in the background)."""
        self._changed |= user_ids
        self._wake.set()

    def remove(self, key: int) -> None:
        socket = self._open.pop(key, None)
        if socket is not None and socket.expiry is not None:
            socket.expiry.cancel()

    def __len__(self) -> int:
        return len(self._open)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="parley-socket-viewers")

    async def stop(self) -> None:
        for socket in self._open.values():
            if socket.expiry is not None:
                socket.expiry.cancel()
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
