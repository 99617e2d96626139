"""SQLAlchemy's aiosqlite adapter, with one trip to the database thread per statement.

aiosqlite runs each call on its own thread: SQLAlchemy's adapter makes four calls per statement
(open a cursor, execute, fetch all, close), and each is a hand-over to that thread and a wake-up
of the event loop. Here a statement is one call that does all four in the thread: a small ORM
statement in a session costs about 0.35-0.45 ms of CPU instead of 0.7 (five in one session,
`SELECT ... FROM users WHERE id IN (...)`, 300 sessions, process CPU time).

A transaction's BEGIN travels with its first statement (OneTripConnection), and ending a
transaction that never began is no trip: a short read session is two trips (statement, rollback)
instead of four (BEGIN, statement, rollback, and the pool's rollback when it takes it back).

Everything else (connections, transactions, commits, errors, `create_function`, interrupting a
statement) is SQLAlchemy's and aiosqlite's own; server-side cursors keep the stock cursor. The
raw reference of the benchmark uses the same engine, so it has this too. A statement whose task is
cancelled runs to its end in the thread, fetch included (the stock adapter stopped after execute);
a request's deadline still interrupts it (app/core/deadlines.py).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import EMPTY_DICT


class _Outcome:
    """What a cursor reports about the statement it ran (the DBAPI attributes SQLAlchemy reads)."""

    __slots__ = ("description", "rowcount", "lastrowid", "arraysize")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1


def _run(
    connection: aiosqlite.Connection, before: list[str] | None, operation: Any, parameters: Any, many: bool
) -> tuple[Any, ...]:
    """In aiosqlite's thread: what is still to be sent before it (a BEGIN, SAVEPOINTs and their
    RELEASEs), the statement, its rows, then the cursor closed."""
    cursor: sqlite3.Cursor = connection._conn.cursor()
    try:
        for statement in before or ():
            cursor.execute(statement)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor to open (a trip)
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _Outcome()  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, True)

    async def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._connection
        adapt: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        outcome: Any = self._cursor
        if operation in _BEGINS and not parameters and not many:
            adapt.pending.append(operation)  # sent with the transaction's first statement
            outcome.description, outcome.rowcount, outcome.lastrowid = None, -1, None
            return
        async with adapt._execute_mutex:
            before = adapt.pending or None
            if before is not None:
                adapt.pending = []
            description, rows, rowcount, lastrowid = await connection._execute(
                _run, connection, before, operation, parameters, many
            )
        outcome.description, outcome.rowcount, outcome.lastrowid = description, rowcount, lastrowid
        if rows is not None:
            self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None  # closed in the thread already

    def close(self) -> None:
        self._rows.clear()


_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE"})  # what app/core/db.py's "begin" listener sends


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """A transaction's BEGIN waits for its first statement and goes to the thread with it: one
    trip fewer per transaction. SQLite does the same either way: a deferred BEGIN takes no lock
    until the first statement, and BEGIN IMMEDIATE still takes the write lock before that
    statement runs. Ending a transaction that ran no statement, or none at all (the pool resets a
    connection it gets back), costs no trip either."""

    __slots__ = ("pending",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending: list[str] = []  # to send ahead of the next statement, in order

    def rollback(self) -> None:
        if self._idle():
            return  # nothing began (the pool's reset after a session's own rollback, say)
        super().rollback()

    def commit(self) -> None:
        if self._idle():
            return
        super().commit()

    def _idle(self) -> bool:
        """No transaction to end: its BEGIN is still pending (dropped, and any SAVEPOINT or RELEASE
        behind it), or SQLite has none open. Read between statements: SQLAlchemy ends a
        transaction only when none of its statements is in flight, and a connection whose
        statement was cancelled (it may still run in the thread) is terminated, not reset
        (checked: a read cancelled while its statement waited in the thread's queue leaves that
        connection closed)."""
        pending = self.pending
        if pending:
            self.pending = []  # savepoints end with their transaction anyway
            if pending[0] in _BEGINS:
                return True
        connection = self._connection._connection
        return connection is not None and not connection.in_transaction


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to create_async_engine for a `sqlite+aiosqlite` URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def send_savepoints_with_statements(engine: AsyncEngine) -> None:
    """SAVEPOINT and RELEASE go to the thread with the next statement instead of as statements of
    their own: SQLAlchemy's execution of each costs about 0.1 ms of CPU, so a savepoint around one
    INSERT tripled its cost (app/core/write_batches.py puts one around every write that joins a
    batch). A savepoint released or rolled back before any statement ran in it is never sent;
    ROLLBACK TO one that was sent is a statement as before (with what is pending ahead of it). A
    COMMIT or ROLLBACK of the transaction drops what is pending: it ends every savepoint."""
    dialect = engine.sync_engine.dialect
    rollback_to = dialect.do_rollback_to_savepoint

    def do_savepoint(connection: Connection, name: str) -> None:
        _pending(connection).append(f"SAVEPOINT {name}")

    def do_release_savepoint(connection: Connection, name: str) -> None:
        pending = _pending(connection)
        if pending and pending[-1] == f"SAVEPOINT {name}":
            pending.pop()  # nothing ran inside it
        else:
            pending.append(f"RELEASE SAVEPOINT {name}")

    def do_rollback_to_savepoint(connection: Connection, name: str) -> None:
        pending = _pending(connection)
        mark = f"SAVEPOINT {name}"
        if mark in pending:  # never sent, nor anything since: nothing to undo
            del pending[pending.index(mark) :]
            return
        rollback_to(connection, name)

    dialect.do_savepoint = do_savepoint  # type: ignore[method-assign]
    dialect.do_release_savepoint = do_release_savepoint  # type: ignore[method-assign]
    dialect.do_rollback_to_savepoint = do_rollback_to_savepoint  # type: ignore[method-assign]


def _pending(connection: Connection) -> list[str]:
    adapted: OneTripConnection = connection.connection.dbapi_connection  # type: ignore[assignment]
    return adapted.pending
