"""Engine, sessions and units of work.

Reads use short sessions. Writes use `Database.write()`: one transaction (BEGIN IMMEDIATE on
SQLite, where writers that queue share one, each in a savepoint: app/core/write_batches.py)
whose after-commit callbacks run only once the commit succeeded, so events are published after
commit and a rollback publishes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.deadlines import DEADLINE, Deadline, DeadlineExceeded
from app.core.settings import Settings
from app.core.sqlite_driver import OneTripDBAPI, send_savepoints_with_statements
from app.core.write_batches import WriteBatches
from app.domain.search_terms import CONTAINS_FUNCTION, contains_or_null

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
T = TypeVar("T")


class UnitOfWork:
    """A write transaction plus the callbacks to run after it commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._after_commit: list[AfterCommit] = []
        self.last_event_position: int | None = None
        self.changed_users: set[int] = set()

    def note_event_position(self, position: int) -> None:
        self.last_event_position = position

    def note_users_changed(self, user_ids: Iterable[int]) -> None:
        """Who these users are changed (a token, a group, a right): caches forget them on commit."""
        self.changed_users.update(user_ids)

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)


@dataclass
class _Snapshot:
    """One read transaction shared by every `Database.read()` of an operation (see snapshot())."""

    db: Database
    session: AsyncSession
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holder: asyncio.Task[Any] | None = None


_SNAPSHOT: ContextVar[_Snapshot | None] = ContextVar("parley_read_snapshot", default=None)


@asynccontextmanager
async def _closing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """`async with session`, except that a cancelled read (a deadline stopped it, and its
    connection may be gone) stays cancelled instead of turning into the error of closing it."""
    try:
        yield session
    except asyncio.CancelledError:
        try:
            await session.close()
        except Exception:
            log.debug("closing a cancelled read failed", exc_info=True)
        raise
    except BaseException:
        await session.close()
        raise
    else:
        await session.close()


def _prepare_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # textContains checked row by row (a walk down the dates): the live predicate itself
        dbapi_connection.create_function(CONTAINS_FUNCTION, 2, contains_or_null, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("parley_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        database = url.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            module=OneTripDBAPI(),
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
            json_deserializer=orjson.loads,
        )
        _prepare_sqlite(engine, settings.sqlite_busy_timeout_ms)
        send_savepoints_with_statements(engine)
        return engine
    return create_async_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_deserializer=orjson.loads
    )


class Database:
    def __init__(self, settings: Settings, engine: AsyncEngine | None = None) -> None:
        self.settings = settings
        # Called after a commit that appended events (wired to the bus by the app).
        self.on_events_committed: Callable[[int], Awaitable[None]] | None = None
        # Called after a commit that changed users' tokens, groups or rights (wired likewise).
        self.on_users_changed: Callable[[frozenset[int]], Awaitable[None]] | None = None
        self.engine = engine or create_engine(settings)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        snapshot_engine = self.engine
        if self.engine.dialect.name == "postgresql":
            snapshot_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        self._snapshot_reader = async_sessionmaker(snapshot_engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(parley_write=True), expire_on_commit=False
        )
        # SQLite has one writer at a time. Writers of this process queue here, in turn, instead of
        # in SQLite's busy handler (which polls with sleeps of up to 100 ms and wakes late), and
        # those that queue share a transaction (app/core/write_batches.py).
        self._batches: WriteBatches[UnitOfWork] | None = None
        if self.engine.dialect.name == "sqlite":
            self._batches = WriteBatches(self._writer, UnitOfWork, self._settle)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        shared = _SNAPSHOT.get()
        deadline = DEADLINE.get()
        if shared is None or shared.db is not self:
            async with _closing(self._reader()) as session:
                if deadline is not None:
                    deadline.note(session)
                yield session
            return
        task = asyncio.current_task()
        if shared.holder is task:  # a read inside a read of the same task
            yield shared.session
            return
        async with shared.lock:  # one statement at a time on the shared session
            if deadline is not None:
                deadline.note(shared.session)
            shared.holder = task
            try:
                yield shared.session
            finally:
                shared.holder = None

    @asynccontextmanager
    async def deadline(self, seconds: float) -> AsyncIterator[None]:
        """Past `seconds` (0: never), stop what runs inside: its statements and its tasks, then
        raise DeadlineExceeded. A write transaction disarms it (app/core/deadlines.py)."""
        task = asyncio.current_task()
        if seconds <= 0 or task is None:
            yield
            return
        deadline = Deadline(seconds, task, self._cancel_backends)
        token = DEADLINE.set(deadline)
        try:
            yield
        except asyncio.CancelledError:
            if deadline.expired and task.uncancel() == 0:
                await deadline.wound_down()
                raise DeadlineExceeded(seconds) from None
            raise
        finally:
            deadline.disarm()
            DEADLINE.reset(token)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """Every `read()` inside (in this task and the tasks it starts) reads one snapshot: a
        REPEATABLE READ transaction on PostgreSQL, one deferred transaction on SQLite (WAL pins
        its snapshot at the first read). Reads take turns on its one connection."""
        # connected on the first read, not here: an outage then fails in a resolver, where it
        # is answered as UNAVAILABLE like any other read
        async with _closing(self._snapshot_reader()) as session:
            shared = _Snapshot(self, session)
            token = _SNAPSHOT.set(shared)
            try:
                yield
            finally:
                _SNAPSHOT.reset(token)
                if shared.holder is not None:  # stopped by a deadline: its read ends first
                    async with shared.lock:
                        pass

    async def _cancel_backends(self, backends: list[int], expired_at: datetime) -> None:
        """Cancel the PostgreSQL statements a stopped request left running (those that began
        before its deadline: a connection back in the pool may run someone else's by now), and
        wait until none runs."""
        cancel = text(
            "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
            "WHERE pid = ANY(:pids) AND state = 'active' AND query_start < :expired"
        )
        values = {"pids": backends, "expired": expired_at}
        try:
            async with self.engine.connect() as conn:
                for _ in range(100):
                    if not (await conn.execute(cancel, values)).scalar_one():
                        return
                    await asyncio.sleep(0.01)
        except Exception:  # the request is answered TIMEOUT anyway
            log.warning("could not cancel the statements of a stopped request", exc_info=True)

    @asynccontextmanager
    async def write(self, *, bookkeeping: bool = False) -> AsyncIterator[UnitOfWork]:
        """A write transaction. On SQLite it may share its transaction with the writes queued
        with it; it returns once that commit succeeded, and its failure undoes only its own
        changes. It ends the request's deadline (app/core/deadlines.py): the operation's writes
        run to their commit or rollback and are answered. A `bookkeeping` write (a user's last
        activity) leaves the deadline armed, and runs alone: stopped, it rolls back whole."""
        deadline = DEADLINE.get()
        if deadline is not None and not bookkeeping:
            deadline.disarm()
        if self._batches is not None:  # SQLite; a bookkeeping write stays alone (its deadline)
            async with self._batches.member(alone=bookkeeping) as uow:
                yield uow
            return
        async with self._writer() as session:
            uow = UnitOfWork(session)
            async with session.begin():
                yield uow
        await self._settle([uow])

    async def _settle(self, units: list[UnitOfWork]) -> None:
        """After the commit of `units` (one write, or a batch of SQLite's): caches forget the
        users they changed, then each unit's callbacks run, then the live hub hears of the events."""
        callbacks: list[AfterCommit] = []
        changed = frozenset().union(*(uow.changed_users for uow in units))
        if changed and self.on_users_changed is not None:
            on_users_changed = self.on_users_changed
            callbacks.append(lambda: on_users_changed(changed))
        for uow in units:
            callbacks.extend(uow._after_commit)
        positions = [uow.last_event_position for uow in units if uow.last_event_position is not None]
        if positions and self.on_events_committed is not None:
            on_events_committed, last = self.on_events_committed, max(positions)
            callbacks.append(lambda: on_events_committed(last))
        for callback in callbacks:
            try:
                await callback()
            except Exception:  # a failed publish must not undo a committed write
                log.exception("after-commit callback failed")

    async def after_queued_writes(self, limit_seconds: float) -> None:
        """Return once the writes of this process under way now have committed (at most
        `limit_seconds`).

        SQLite's writers take turns and share transactions; a reader of the event log that waits
        for the batch under way when it woke reads its events in one read, not one read per
        write. Nothing waits when no write is under way, nor on PostgreSQL (whose writers do not
        queue here)."""
        if self._batches is not None:
            await self._batches.after_queued(limit_seconds)

    async def write_retrying(self, work: Callable[[UnitOfWork], Awaitable[T]], *, attempts: int = 3) -> T:
        """Run `work` in a write transaction, again if a unique constraint raced it.

        On PostgreSQL two retries with one idempotency key can both miss the other's row and one
        insert then fails; the retry finds the winner's row. (SQLite's BEGIN IMMEDIATE serializes.)
        """
        for attempt in range(attempts):
            try:
                async with self.write() as uow:
                    return await work(uow)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    async def refresh_statistics(self) -> None:
        """Give SQLite's planner fresh statistics (sampled, so it stays fast on big tables).
        PostgreSQL's autovacuum does this by itself."""
        if self.dialect != "sqlite":
            return
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database ping failed", exc_info=True)
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
