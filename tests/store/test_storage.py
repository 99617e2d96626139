"""Migrations match the models; SQLite runs with the pragmas we rely on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from app.core.db import Database
from app.core.migrate import pending_model_changes, upgrade
from tests.conftest import database_url, make_settings


async def test_models_and_migrations_do_not_diverge(tmp_path: Path) -> None:
    db = Database(make_settings(tmp_path, database_url=database_url(tmp_path, migrated=False)))
    try:
        await upgrade(db)
        assert await pending_model_changes(db) == []
    finally:
        await db.dispose()


async def test_migrating_twice_is_harmless_and_seeds_the_event_counter(tmp_path: Path) -> None:
    db = Database(make_settings(tmp_path))
    try:
        await upgrade(db)
        await upgrade(db)
        async with db.read() as session:
            assert (
                await session.execute(text("SELECT value FROM event_counter WHERE id = 1"))
            ).scalar_one() == 0
    finally:
        await db.dispose()


@pytest.mark.sqlite_only
async def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    db = Database(make_settings(tmp_path, sqlite_busy_timeout_ms=4321))
    try:
        async with db.read() as session:
            pragma = lambda name: session.execute(text(f"PRAGMA {name}"))  # noqa: E731
            assert (await pragma("journal_mode")).scalar_one() == "wal"
            assert (await pragma("synchronous")).scalar_one() == 2  # FULL
            assert (await pragma("foreign_keys")).scalar_one() == 1
            assert (await pragma("busy_timeout")).scalar_one() == 4321
    finally:
        await db.dispose()


@pytest.mark.sqlite_only
async def test_writes_begin_immediate_and_reads_deferred(tmp_path: Path) -> None:
    db = Database(make_settings(tmp_path))
    seen: list[str] = []
    from sqlalchemy import event

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    try:
        await upgrade(db)
        seen.clear()
        async with db.write() as uow:
            await uow.session.execute(text("SELECT 1"))
        async with db.read() as session:
            await session.execute(text("SELECT 2"))
    finally:
        await db.dispose()
    # the BEGIN statements go through exec_driver_sql, so they are captured too
    assert seen.index("BEGIN IMMEDIATE") < seen.index("SELECT 1")
    assert "BEGIN" in seen[seen.index("SELECT 1") :]


async def test_a_rolled_back_write_publishes_nothing(tmp_path: Path) -> None:
    from app.actions.event_log import EventKind, MessageEventDraft, record
    from app.models import Message, utcnow

    db = Database(make_settings(tmp_path))
    published: list[int] = []

    async def on_commit(position: int) -> None:
        published.append(position)

    db.on_events_committed = on_commit
    try:
        await upgrade(db)
        fake = Message(id=1, author_id=1, text="x", created_at=utcnow())
        try:
            async with db.write() as uow:
                await record(uow, [MessageEventDraft(EventKind.ADDED, fake, 1)], at=utcnow())
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert published == []
        async with db.write() as uow:
            await record(uow, [MessageEventDraft(EventKind.ADDED, fake, 1)] * 2, at=utcnow())
        assert published == [2]  # positions 1 and 2 of the rolled-back try were reused, nothing leaked
    finally:
        await db.dispose()


@pytest.mark.sqlite_only
async def test_writers_of_one_process_take_turns_without_sqlites_busy_handler(
    tmp_path: Path,
) -> None:
    """With no busy timeout at all, overlapping write transactions still all commit: they queue
    in the process (SQLite's busy handler polls with sleeps of up to 100 ms)."""
    db = Database(make_settings(tmp_path, sqlite_busy_timeout_ms=0))
    try:
        async with db.write() as uow:
            await uow.session.execute(text("CREATE TABLE scratch (n INTEGER)"))

        async def one(n: int) -> None:
            async with db.write() as uow:
                await uow.session.execute(text("INSERT INTO scratch VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.01)  # hold the transaction while the others begin

        await asyncio.gather(*(one(n) for n in range(12)))
        async with db.read() as session:
            rows = (await session.execute(text("SELECT n FROM scratch ORDER BY n"))).scalars().all()
        assert rows == list(range(12))
    finally:
        await db.dispose()
