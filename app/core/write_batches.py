"""SQLite's writers of one process: in turn, and in one transaction when they queue (group commit).

SQLite has one writer at a time, and on this schema most of a short write's database cost is
its transaction: BEGIN IMMEDIATE, then a COMMIT that appends the changed pages to the WAL and
syncs it. Plain `sqlite3`, a topic send's four statements: 0.54 ms of CPU alone, 0.31 ms each
when four share a transaction with a savepoint each.

So writers queue here, in the order they came, and one holds the turn at a time. A writer that
finds the turn's transaction still open (its holder finished while others waited) joins it: its
body runs inside a SAVEPOINT, so its failure rolls back its own changes and nobody else's. The
last writer of the batch (no one waiting, the batch full, or a writer that must be alone)
commits it. Every member waits for that commit: it returns (or raises the commit's error) only
once its writes are durable, and the callbacks of every member run after the commit, before any
member returns. PostgreSQL commits its writers in parallel and groups their syncs itself: its
writers do not queue here.

The commit runs in a task of its own, shielded: a member cancelled while it waits (its client
went away) leaves the batch to commit, and a writer that is handed the turn and cancelled before
it runs hands it on, or commits the batch left open for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

M = TypeVar("M")
MAX_MEMBERS = 16  # the first member waits for the others' bodies: keep its wait short


class _Batch(Generic[M]):
    """One write transaction and the writers whose changes it holds."""

    def __init__(self, session: AsyncSession, transaction: AsyncSessionTransaction) -> None:
        self.session = session
        self.transaction = transaction
        self.members: list[M] = []
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class WriteBatches(Generic[M]):
    """Writers in turn. `member(...)` yields what `make_member(session)` builds; `settle(members)`
    runs once their batch committed (their after-commit callbacks)."""

    def __init__(
        self,
        open_session: Callable[[], AsyncSession],
        make_member: Callable[[AsyncSession], M],
        settle: Callable[[list[M]], Awaitable[None]],
        max_members: int = MAX_MEMBERS,
    ) -> None:
        self._open_session = open_session
        self._make_member = make_member
        self._settle = settle
        self._max_members = max_members
        self._busy = False  # a writer (or a batch's commit) holds the turn
        self._waiters: deque[tuple[asyncio.Future[None], bool]] = deque()  # and: alone?
        self._open: _Batch[M] | None = None  # left open by the turn's last holder for the next
        self._latest: _Batch[M] | None = None  # the last batch begun (open or committing)
        self._commits: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def member(self, *, alone: bool = False) -> AsyncIterator[M]:
        """A write in the turn's transaction (`alone`: in a transaction of its own)."""
        await self._take_turn(alone)
        holding = True  # this writer holds the turn: it passes it on, whatever happens
        joined: _Batch[M] | None = None
        try:
            batch = self._open  # never open for a writer that must be alone (see _pass_turn)
            self._open = None
            if batch is None:
                batch = await self._begin()
                member = self._make_member(batch.session)
                try:
                    yield member
                    await batch.session.flush()  # its errors are its own, not the commit's
                except BaseException:
                    await self._roll_back(batch)
                    raise
            else:
                joined = batch
                member = self._make_member(batch.session)
                async with batch.session.begin_nested():  # its failure undoes only its changes
                    yield member
            batch.members.append(member)
            holding = False
            if not alone and self._someone_waits() and len(batch.members) < self._max_members:
                self._open = batch
                self._pass_turn()
            else:
                await self._commit_shielded(batch)
        except BaseException:
            if holding:
                if joined is not None:  # the others' changes are still to commit
                    self._open = joined
                self._pass_turn()
            raise
        await asyncio.shield(batch.committed)

    async def after_queued(self, limit_seconds: float) -> None:
        """Return once the batch of the writes under way now committed (at most `limit_seconds`)."""
        batch = self._latest
        if not self._busy or batch is None or batch.committed.done():
            return
        # past the limit, or the batch failed (its members answer for that): read what committed
        with contextlib.suppress(Exception):
            async with asyncio.timeout(limit_seconds):
                await asyncio.shield(batch.committed)

    async def _take_turn(self, alone: bool) -> None:
        if not self._busy:
            self._busy = True
            return
        turn = asyncio.get_running_loop().create_future()
        waiter = (turn, alone)
        self._waiters.append(waiter)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed the turn, then cancelled
                self._pass_turn()
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def _someone_waits(self) -> bool:
        return any(not turn.done() for turn, _ in self._waiters)

    def _pass_turn(self) -> None:
        """To the next writer in line, with the batch left open unless that writer must be alone
        or nobody waits: then the batch commits first, and its commit passes the turn on."""
        while self._waiters and self._waiters[0][0].done():
            self._waiters.popleft()
        batch, self._open = self._open, None
        if batch is not None and (not self._waiters or self._waiters[0][1]):
            self._start_commit(batch)
            return
        if batch is not None:
            self._open = batch
        if self._waiters:
            self._waiters.popleft()[0].set_result(None)
            return
        self._busy = False

    async def _begin(self) -> _Batch[M]:
        session = self._open_session()
        try:
            transaction = await session.begin()
        except BaseException:
            await session.close()
            raise
        batch: _Batch[M] = _Batch(session, transaction)
        self._latest = batch
        return batch

    async def _roll_back(self, batch: _Batch[M]) -> None:
        if self._latest is batch:
            self._latest = None
        try:
            await batch.transaction.rollback()
        finally:
            await batch.session.close()
            if not batch.committed.done():
                batch.committed.set_result(None)  # nothing to wait for

    async def _commit_shielded(self, batch: _Batch[M]) -> None:
        """Commit `batch` in its own task; a cancelled caller leaves it running."""
        await asyncio.shield(self._start_commit(batch))

    def _start_commit(self, batch: _Batch[M]) -> asyncio.Task[None]:
        """The commit holds the turn: it passes it on once SQLite committed or failed."""
        task = asyncio.get_running_loop().create_task(self._commit(batch))
        self._commits.add(task)
        task.add_done_callback(self._commits.discard)
        return task

    async def _commit(self, batch: _Batch[M]) -> None:
        try:
            try:
                await batch.transaction.commit()
            except BaseException:  # as `async with session.begin()` does: SQLite may hold it open
                with contextlib.suppress(Exception):
                    await batch.transaction.rollback()
                raise
            finally:
                await batch.session.close()
        except Exception as exc:  # every member raises it
            batch.committed.set_exception(exc)
            batch.committed.exception()  # retrieved: a member that went away does not read it
            self._pass_turn()
            return
        except BaseException:  # the loop is shutting down
            batch.committed.cancel()
            raise
        self._pass_turn()
        try:
            await self._settle(batch.members)
        finally:
            batch.committed.set_result(None)
