"""SQLite's writers of one process share a transaction when they queue (app/core/write_batches.py):
fewer commits, each writer's failure its own, nobody answered before the commit, and the turn
survives writers that fail, are cancelled or go away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from app.core.db import Database
from tests.conftest import make_settings
from tests.live.test_direct_delivery import until

T = TypeVar("T")

pytestmark = pytest.mark.once  # SQLite's writers queue in the process; PostgreSQL's do not

metadata = MetaData()
items = Table(
    "batch_items", metadata, Column("id", Integer, primary_key=True), Column("name", String, unique=True)
)
links = Table(
    "batch_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("batch_items.id")),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(make_settings(tmp_path))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield db
    await db.dispose()


def count_commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


async def names(db: Database) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(select(items.c.name).order_by(items.c.id))).scalars())


async def add(db: Database, name: str, gate: asyncio.Event | None = None) -> str:
    async with db.write() as uow:
        await uow.session.execute(insert(items).values(name=name))
        if gate is not None:
            await gate.wait()
    return name


async def in_line(
    db: Database, first: Coroutine[Any, Any, T], *writes: Coroutine[Any, Any, Any]
) -> tuple[asyncio.Task[T], list[asyncio.Task[Any]]]:
    """Start `first` (a write that holds the turn until its test lets it go), then `writes`, and
    return once all of these wait in line behind it."""
    batches = db._batches
    assert batches is not None
    holder = asyncio.create_task(first)
    await until(lambda: batches._busy)
    queued = [asyncio.create_task(write) for write in writes]
    await until(lambda: len(batches._waiters) == len(queued))
    return holder, queued


async def test_writers_that_queue_share_a_commit_and_each_returns_once_it_is_durable(db: Database) -> None:
    commits = count_commits(db)
    gate = asyncio.Event()
    first, later = await in_line(db, add(db, "first", gate), *(add(db, f"w{n}") for n in range(5)))
    assert not any(task.done() for task in [first, *later])  # in line behind the first
    gate.set()
    assert await asyncio.gather(first, *later) == ["first", "w0", "w1", "w2", "w3", "w4"]
    assert len(commits) == 1  # six writes, one transaction
    assert await names(db) == ["first", "w0", "w1", "w2", "w3", "w4"]

    # one write at a time, nobody queued: a commit each
    for n in range(3):
        await add(db, f"alone{n}")
    assert len(commits) == 4


async def test_a_member_returns_only_after_the_commit(db: Database) -> None:
    gate = asyncio.Event()
    seen_at_return: dict[str, list[str]] = {}

    async def add_and_look(name: str, wait: asyncio.Event | None) -> None:
        await add(db, name, wait)
        seen_at_return[name] = await names(db)  # another connection: only committed rows

    first, rest = await in_line(db, add_and_look("a", gate), add_and_look("b", None), add_and_look("c", None))
    gate.set()
    await asyncio.gather(first, *rest)
    for name in "abc":
        assert set(seen_at_return[name]) == {"a", "b", "c"}


async def test_a_failing_member_undoes_its_own_changes_only(db: Database) -> None:
    gate = asyncio.Event()

    async def fails_after_writing() -> None:
        async with db.write() as uow:
            await uow.session.execute(insert(items).values(name="doomed"))
            raise ValueError("its own failure")

    async def duplicate() -> None:  # fails in its statement: a unique name already in the batch
        async with db.write() as uow:
            await uow.session.execute(insert(items).values(name="dup-of"))
            await uow.session.execute(insert(items).values(name="first"))

    first, (failing, dup, last) = await in_line(
        db, add(db, "first", gate), fails_after_writing(), duplicate(), add(db, "last")
    )
    gate.set()
    results = await asyncio.gather(first, failing, dup, last, return_exceptions=True)
    assert results[0] == "first" and results[3] == "last"
    assert isinstance(results[1], ValueError)
    assert isinstance(results[2], IntegrityError)
    assert await names(db) == ["first", "last"]


async def test_a_failing_first_writer_rolls_back_alone_and_the_next_ones_go_on(db: Database) -> None:
    gate = asyncio.Event()

    async def fails() -> None:
        async with db.write() as uow:
            await uow.session.execute(insert(items).values(name="doomed"))
            await gate.wait()
            raise ValueError("first fails")

    first, others = await in_line(db, fails(), add(db, "x"), add(db, "y"))
    gate.set()
    with pytest.raises(ValueError):
        await first
    assert await asyncio.gather(*others) == ["x", "y"]
    assert await names(db) == ["x", "y"]


async def test_a_failed_commit_fails_every_member_and_the_turn_goes_on(db: Database) -> None:
    gate = asyncio.Event()

    async def breaks_the_commit() -> None:  # a deferred foreign key fails only at COMMIT
        async with db.write() as uow:
            await uow.session.execute(text("PRAGMA defer_foreign_keys = ON"))
            await uow.session.execute(insert(links).values(item_id=999))

    first, (breaker, second) = await in_line(
        db, add(db, "first", gate), breaks_the_commit(), add(db, "second")
    )
    gate.set()
    results = await asyncio.gather(first, breaker, second, return_exceptions=True)
    assert all(isinstance(r, IntegrityError) for r in results), results
    assert await names(db) == []
    assert await add(db, "after") == "after"  # the turn was passed on
    assert await names(db) == ["after"]


async def test_cancelled_writers_leave_the_turn_and_the_batch_whole(db: Database) -> None:
    batches = db._batches
    assert batches is not None
    gate = asyncio.Event()
    # "never" is cancelled while in line, "kept" while its batch commits
    first, (queued, kept) = await in_line(db, add(db, "first", gate), add(db, "never"), add(db, "kept"))
    queued.cancel()
    start_commit = batches._start_commit

    def start_commit_then_cancel(*args: Any, **kwargs: Any) -> Any:
        task = start_commit(*args, **kwargs)
        kept.cancel()  # its client went away: its write is in the batch and commits all the same
        return task

    batches._start_commit = start_commit_then_cancel  # type: ignore[method-assign]
    gate.set()
    assert await first == "first"
    for task in (queued, kept):
        with pytest.raises(asyncio.CancelledError):
            await task
    await until(lambda: not batches._busy)
    assert await names(db) == ["first", "kept"]
    batches._start_commit = start_commit  # type: ignore[method-assign]
    assert await add(db, "after") == "after"


async def test_a_writer_handed_the_turn_then_cancelled_commits_the_batch_left_for_it(db: Database) -> None:
    gate = asyncio.Event()
    batches = db._batches
    assert batches is not None
    first, (second,) = await in_line(db, add(db, "first", gate), add(db, "second"))
    hand_over = batches._pass_turn

    def hand_over_then_cancel() -> None:  # cancelled after the turn is handed, before it runs
        hand_over()
        if batches._open is not None:
            second.cancel()

    batches._pass_turn = hand_over_then_cancel  # type: ignore[method-assign]
    gate.set()
    assert await first == "first"
    with pytest.raises(asyncio.CancelledError):
        await second
    assert await names(db) == ["first"]
    await until(lambda: not batches._busy)


async def test_a_bookkeeping_write_is_never_in_a_batch(db: Database) -> None:
    commits = count_commits(db)
    gate = asyncio.Event()

    async def bookkeeping(name: str) -> None:
        async with db.write(bookkeeping=True) as uow:
            await uow.session.execute(insert(items).values(name=name))

    first, tasks = await in_line(db, add(db, "first", gate), add(db, "a"), bookkeeping("k"), add(db, "b"))
    gate.set()
    await asyncio.gather(first, *tasks)
    # first and a, then k alone, then b
    assert len(commits) == 3
    assert await names(db) == ["first", "a", "k", "b"]


async def test_after_commit_callbacks_of_every_member_run_before_any_returns(db: Database) -> None:
    heard: list[Any] = []

    async def on_events(position: int) -> None:
        heard.append(("events", position))

    async def on_users(users: frozenset[int]) -> None:
        heard.append(("users", sorted(users)))

    db.on_events_committed = on_events
    db.on_users_changed = on_users
    gate = asyncio.Event()
    returned: list[str] = []

    async def write(name: str, position: int, user: int, wait: asyncio.Event | None) -> None:
        async with db.write() as uow:
            await uow.session.execute(insert(items).values(name=name))
            uow.note_event_position(position)
            uow.note_users_changed([user])

            async def callback() -> None:
                heard.append(("own", name))

            uow.after_commit(callback)
            if wait is not None:
                await wait.wait()
        returned.append(name)
        assert ("events", 12) in heard  # the batch's callbacks all ran first

    first, rest = await in_line(db, write("a", 10, 1, gate), write("b", 11, 2, None), write("c", 12, 1, None))
    gate.set()
    await asyncio.gather(first, *rest)
    assert heard == [("users", [1, 2]), ("own", "a"), ("own", "b"), ("own", "c"), ("events", 12)]
    assert sorted(returned) == ["a", "b", "c"]


async def test_a_batch_holds_at_most_its_limit(db: Database) -> None:
    assert db._batches is not None
    db._batches._max_members = 3
    commits = count_commits(db)
    gate = asyncio.Event()
    first, rest = await in_line(db, add(db, "w", gate), *(add(db, f"w{n}") for n in range(6)))
    gate.set()
    await asyncio.gather(first, *rest)
    assert len(commits) == 3  # 7 writers, 3 at most per transaction
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(items))).scalar_one() == 7
