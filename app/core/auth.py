"""Passwords, bearer tokens and the Viewer (who is asking)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.settings import Settings
from app.domain.errors import RateLimited

T = TypeVar("T")

ADMIN_RIGHT = "admin"
SYSTEM_MESSAGE_RIGHT = "system.message"
KNOWN_RIGHTS = frozenset({ADMIN_RIGHT, SYSTEM_MESSAGE_RIGHT, "system"})


@dataclass(frozen=True)
class Viewer:
    user_id: int
    username: str
    rights: frozenset[str] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    token_hash: str | None = None
    locale: str | None = None  # as of authentication (a websocket re-reads it now and then)

    @property
    def is_admin(self) -> bool:
        return ADMIN_RIGHT in self.rights

    def has_right(self, right: str) -> bool:
        return right in self.rights or self.is_admin


class Passwords:
    """Argon2id hashing off the event loop; verifying an unknown user costs the same time."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        # at most `concurrency` hashes at once, in threads of their own (the event loop and the
        # default executor stay free); past `queue` waiting, refuse instead of queueing forever
        self._slots = asyncio.Semaphore(settings.password_hash_concurrency)
        self._pool = ThreadPoolExecutor(settings.password_hash_concurrency, thread_name_prefix="argon2")
        self._queue = settings.password_hash_queue
        self._waiting = 0

    async def _run(self, work: Callable[[], T]) -> T:
        if self._waiting >= self._queue:
            raise RateLimited("Too many logins at once; try again in a second.", retry_after=1.0)
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        running = asyncio.get_running_loop().run_in_executor(self._pool, work)
        running.add_done_callback(lambda _: self._slots.release())  # when the thread is done
        return await asyncio.shield(running)  # a client that leaves does not free the slot early

    async def hash(self, password: str) -> str:
        return await self._run(lambda: self._hasher.hash(password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored_hash or self._dummy, password) and bool(stored_hash)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)


def new_token() -> tuple[str, str]:
    """A fresh opaque token and the hash stored for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
