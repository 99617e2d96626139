"""SQLAlchemy's aiosqlite adapter, with one trip to the database thread per statement.

aiosqlite runs each call on its own thread: SQLAlchemy's adapter makes four calls per statement
(open a cursor, execute, fetch all, close), and each is a hand-over to that thread and a wake-up
of the event loop. Here a statement is one call that does all four in the thread: a small ORM
statement in a session costs about 0.35-0.45 ms of CPU instead of 0.7 (five in one session,
`SELECT ... FROM users WHERE id IN (...)`, 300 sessions, process CPU time).

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
from sqlalchemy.util import EMPTY_DICT


class _Outcome:
    """What a cursor reports about the statement it ran (the DBAPI attributes SQLAlchemy reads)."""

    __slots__ = ("description", "rowcount", "lastrowid", "arraysize")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1


def _run(connection: aiosqlite.Connection, operation: Any, parameters: Any, many: bool) -> tuple[Any, ...]:
    """In aiosqlite's thread: the statement, its rows, then the cursor closed."""
    cursor: sqlite3.Cursor = connection._conn.cursor()
    try:
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
        async with self._adapt_connection._execute_mutex:
            description, rows, rowcount, lastrowid = await connection._execute(
                _run, connection, operation, parameters, many
            )
        outcome: Any = self._cursor
        outcome.description, outcome.rowcount, outcome.lastrowid = description, rowcount, lastrowid
        if rows is not None:
            self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None  # closed in the thread already

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to create_async_engine for a `sqlite+aiosqlite` URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)
