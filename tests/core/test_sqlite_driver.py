"""The SQLite driver adapter (app/core/sqlite_driver.py) on a real SQLite file: one trip to
aiosqlite's thread per statement, and what SQLAlchemy reads of a cursor is right (rows, row
counts, last row ids, executemany, errors as SQLAlchemy's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.db import Database
from app.core.sqlite_driver import OneTripDBAPI
from app.core.sqlite_driver import _run as driver_run
from tests.conftest import make_settings

pytestmark = pytest.mark.once  # its own SQLite engine, whatever the backend under test

metadata = MetaData()
items = Table("items", metadata, Column("id", Integer, primary_key=True), Column("name", String, unique=True))


@pytest.fixture
async def engine(tmp_path: Path) -> Any:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}", module=OneTripDBAPI())
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def trips_of(engine: AsyncEngine, statement: Any) -> tuple[int, Any]:
    """(calls run on aiosqlite's thread, the rows) for one statement on a connection already open."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # BEGIN and the first statement are behind us
        driver: Any = (await conn.get_raw_connection()).driver_connection
        calls = 0
        queue = driver._execute

        async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            return await queue(fn, *args, **kwargs)

        driver._execute = counted
        try:
            rows = (await conn.execute(statement)).all()
        finally:
            del driver._execute
        return calls, rows


async def test_a_statement_is_one_trip_to_the_database_thread(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(items), [{"name": "a"}, {"name": "b"}])
    calls, rows = await trips_of(engine, select(items.c.name).order_by(items.c.id))
    assert calls == 1 and [r[0] for r in rows] == ["a", "b"]


async def test_row_counts_row_ids_and_executemany_read_as_the_stock_driver_gives_them(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(insert(items).values(name="x"))
        assert first.inserted_primary_key == (1,) and first.lastrowid == 1
        many = await conn.execute(insert(items), [{"name": f"n{i}"} for i in range(5)])
        assert many.rowcount == 5
        changed = await conn.execute(
            update(items).where(items.c.name.like("n%")).values(name=items.c.name + "!")
        )
        assert changed.rowcount == 5
        assert (await conn.execute(select(items.c.name).where(items.c.id == 6))).scalar_one() == "n4!"
        assert (await conn.execute(select(items.c.id).where(items.c.name == "none"))).first() is None


async def test_errors_are_sqlalchemy_errors_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(items).values(name="same"))
        with pytest.raises(IntegrityError):
            await conn.execute(insert(items).values(name="same"))
        await conn.rollback()
        await conn.execute(insert(items).values(name="other"))
        await conn.commit()
        assert (await conn.execute(select(items.c.name))).scalars().all() == ["other"]


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return Database(make_settings(tmp_path))  # the app's engine: its BEGIN listener, WAL, a file


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each trip to an aiosqlite thread ran, in order (counted where aiosqlite queues it)."""
    ran: list[Any] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(args[1:3] if fn is driver_run else getattr(fn, "__name__", fn))
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return ran


async def test_a_transactions_begin_travels_with_its_first_statement(
    database: Database, trips: list[Any]
) -> None:
    async with database.read() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    assert database.engine.pool.checkedin() == 1  # the connection opened: take it from here
    trips.clear()
    async with database.read() as session:
        await session.execute(text("SELECT 2"))
        await session.execute(text("SELECT 3"))
    assert trips == [(["BEGIN"], "SELECT 2"), (None, "SELECT 3"), "rollback"]
    trips.clear()
    async with database.write() as uow:
        await uow.session.execute(text("SELECT 4"))
    assert trips == [(["BEGIN IMMEDIATE"], "SELECT 4"), "commit"]
    trips.clear()
    async with database.read():
        pass
    async with database.write():
        pass
    assert trips == []  # a transaction that ran nothing costs no trip
    await database.dispose()


async def test_a_write_holds_the_write_lock_from_its_first_statement(database: Database) -> None:
    path = database.settings.database_url.split("///", 1)[1]
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    async with database.write() as uow:
        await uow.session.execute(text("SELECT 1"))  # a read, in a BEGIN IMMEDIATE transaction
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once it committed
    other.execute("ROLLBACK")
    other.close()
    await database.dispose()


async def test_savepoints_travel_with_the_next_statement_and_undo_what_they_should(
    database: Database, trips: list[Any]
) -> None:
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    trips.clear()
    async with database.write() as uow:
        session = uow.session
        async with session.begin_nested():
            await session.execute(insert(items).values(name="kept"))
        async with session.begin_nested():  # nothing ran in it: never sent
            pass
        async with session.begin_nested():  # the same with a SAVEPOINT of SQLAlchemy's own
            await session.connection()
        with pytest.raises(IntegrityError):
            async with session.begin_nested():  # fails in its first statement
                await session.execute(insert(items).values(name="kept"))
        with pytest.raises(ValueError):
            async with session.begin_nested():  # fails after writing: undone
                await session.execute(insert(items).values(name="undone"))
                raise ValueError("its own failure")
        with pytest.raises(ValueError):
            async with session.begin_nested():  # fails before any statement: nothing to undo
                raise ValueError("before writing")
        async with session.begin_nested():
            await session.execute(insert(items).values(name="last"))
    ran = [t for t in trips if isinstance(t, tuple)]
    insert_sql = ran[0][1]
    assert ran == [
        (["BEGIN IMMEDIATE", "SAVEPOINT sa_savepoint_1"], insert_sql),
        (["RELEASE SAVEPOINT sa_savepoint_1", "SAVEPOINT sa_savepoint_3"], insert_sql),
        (None, "ROLLBACK TO SAVEPOINT sa_savepoint_3"),
        (["SAVEPOINT sa_savepoint_4"], insert_sql),
        (None, "ROLLBACK TO SAVEPOINT sa_savepoint_4"),
        (["SAVEPOINT sa_savepoint_5"], insert_sql),
    ]
    assert trips[-1] == "commit"  # the last RELEASE is dropped: COMMIT ends every savepoint
    async with database.read() as session:
        assert (await session.execute(select(items.c.name).order_by(items.c.id))).scalars().all() == [
            "kept",
            "last",
        ]
    await database.dispose()
