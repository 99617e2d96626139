"""The SQLite driver adapter (app/core/sqlite_driver.py) on a real SQLite file: one trip to
aiosqlite's thread per statement, and what SQLAlchemy reads of a cursor is right (rows, row
counts, last row ids, executemany, errors as SQLAlchemy's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.sqlite_driver import OneTripDBAPI

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
