"""A request deadline that stops the request's database work, not just the wait for it.

`Database.deadline(seconds)` arms one for the current task. Every session a read opens under it
is noted with the task that uses it; when the time runs out the deadline interrupts the SQLite
statements those sessions are running (`sqlite3.Connection.interrupt`, safe from any thread:
aiosqlite runs them in a thread of its own, which a cancelled await would leave running), then
cancels the tasks (the request's own and the DataLoader batches it started). On PostgreSQL a
cancelled await leaves the statement running on the server for a while, so the deadline cancels
the backends' statements that began before the deadline at once (`pg_cancel_backend`, while
they still hold their connections), and the request waits until they stopped and its other tasks
ended. The request then ends with `DeadlineExceeded`.

Writes are never cut: `Database.write()` disarms the deadline before its transaction begins, so a
mutation past its deadline finishes (commit or rollback) and answers with what it did. A client
never gets TIMEOUT for a write that was committed, and no transaction is cancelled between its
statements or in its COMMIT. What a mutation reads before it writes is stopped like a query.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

CancelBackends = Callable[[list[int], datetime], Coroutine[Any, Any, None]]


class DeadlineExceeded(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"The request ran past its deadline of {seconds:g} s.")
        self.seconds = seconds


class Deadline:
    def __init__(self, seconds: float, task: asyncio.Task[Any], cancel_backends: CancelBackends) -> None:
        self.seconds = seconds
        self.task = task
        self._cancel_backends = cancel_backends
        self._stopper: asyncio.Task[None] | None = None
        self.expired = False
        self.expired_at: datetime | None = None
        self.backends: list[int] = []  # PostgreSQL: whose statements to cancel once expired
        self._sessions: list[AsyncSession] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(seconds, self._expire)

    def note(self, session: AsyncSession) -> None:
        """`session` runs statements for this request, in the current task."""
        if self.expired:  # a DataLoader batch starting after the request was stopped
            raise asyncio.CancelledError()
        if self._timer is None:
            return
        if all(s is not session for s in self._sessions):
            self._sessions.append(session)
        task = asyncio.current_task()
        if task is not None and task is not self.task:
            self._tasks.add(task)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        self.expired = True
        self.expired_at = datetime.now(UTC)
        for session in self._sessions:
            self.backends.extend(stop_statements(session))
        if self.backends:  # at once, while the statements still hold their connections
            self._stopper = asyncio.get_running_loop().create_task(
                self._cancel_backends(self.backends, self.expired_at)
            )
        for task in self._tasks:
            if not task.done():
                task.cancel()
        self.task.cancel()

    async def wound_down(self) -> None:
        """Once the request's own task is stopped: wait for its statements to be cancelled and
        for the other tasks it started to end (and give their connections back)."""
        if self._stopper is not None:
            await self._stopper
        others = [task for task in self._tasks if not task.done()]
        if others:
            await asyncio.wait(others, timeout=30)


def stop_statements(session: AsyncSession) -> list[int]:
    """Interrupt the statement `session`'s SQLite connection is running, if any; the PostgreSQL
    backend pids of its connections (cancelled by Database.deadline). No I/O, no await: the
    connection already checked out, read from SQLAlchemy's objects."""
    backends: list[int] = []
    try:
        transaction = session.sync_session.get_transaction()
        if transaction is None:
            return backends
        for entry in transaction._connections.values():  # no public accessor; (Connection, ...)
            driver: Any = entry[0].connection.driver_connection  # the aiosqlite or asyncpg connection
            sqlite = getattr(driver, "_connection", None)  # aiosqlite's sqlite3.Connection
            if isinstance(sqlite, sqlite3.Connection):
                sqlite.interrupt()
            elif hasattr(driver, "get_server_pid"):
                backends.append(int(driver.get_server_pid()))
    except Exception:  # a connection closing as we look: nothing left to stop
        log.debug("could not stop a statement", exc_info=True)
    return backends


DEADLINE: ContextVar[Deadline | None] = ContextVar("parley_deadline", default=None)
