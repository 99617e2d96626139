"""The viewers of recently seen bearer tokens, kept per process so a request needs no query to
know who asks.

An entry lives at most `ttl` seconds (`PARLEY_AUTH_CACHE_SECONDS`) and never past its token's
expiry. Whatever changes who a user is (a logout, a group joined or left, a right granted or
withdrawn) is forgotten at once in this process and, through the bus, in every other; the ttl
bounds what no bus message reports (a change made by `parley` commands on another machine, a
bus outage, which also clears everything). Unknown tokens are never cached.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.core.auth import Viewer


@dataclass
class _Entry:
    viewer: Viewer
    expires_at: datetime
    last_active_at: datetime | None
    stored: float  # time.monotonic()


class ViewerCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 100_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._by_hash: dict[str, _Entry] = {}
        self._hashes_of_user: dict[int, set[str]] = {}
        # bumped by every forget: a viewer read before a change committed is not stored after it
        self.generation = 0
        # token hash -> the read of its viewer in progress (app.access.authentication shares it)
        self.in_flight: dict[str, asyncio.Future[object]] = {}

    def get(self, token_hash: str, now: datetime) -> _Entry | None:
        entry = self._by_hash.get(token_hash)
        if entry is None:
            return None
        if now >= entry.expires_at or time.monotonic() - entry.stored > self.ttl:
            self._drop(token_hash)
            return None
        return entry

    def put(
        self,
        token_hash: str,
        viewer: Viewer,
        *,
        expires_at: datetime,
        last_active_at: datetime | None,
        generation: int,
    ) -> None:
        """Store what was read while `generation` was current (else it may be stale: skip it)."""
        if self.ttl <= 0 or generation != self.generation:
            return
        if len(self._by_hash) >= self.max_entries and token_hash not in self._by_hash:
            self._drop(next(iter(self._by_hash)))  # the oldest insertion goes first
        self._by_hash[token_hash] = _Entry(viewer, expires_at, last_active_at, time.monotonic())
        self._hashes_of_user.setdefault(viewer.user_id, set()).add(token_hash)

    def forget_users(self, user_ids: Iterable[int]) -> None:
        self.generation += 1
        for user_id in user_ids:
            for token_hash in self._hashes_of_user.pop(user_id, set()):
                self._by_hash.pop(token_hash, None)

    def clear(self) -> None:
        self.generation += 1
        self._by_hash.clear()
        self._hashes_of_user.clear()

    def __len__(self) -> int:
        return len(self._by_hash)

    def _drop(self, token_hash: str) -> None:
        entry = self._by_hash.pop(token_hash, None)
        if entry is not None:
            hashes = self._hashes_of_user.get(entry.viewer.user_id)
            if hashes is not None:
                hashes.discard(token_hash)
                if not hashes:
                    del self._hashes_of_user[entry.viewer.user_id]
