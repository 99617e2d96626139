"""No single-field filter on an indexed field makes SQLite scan the whole message table.

The SQL is captured from the app's own query path (filter -> SQL), then explained with the
same parameters, for both the first page (ordered, limited) and the count. The one scan
allowed is the date-order walk's bound: `OFFSET list_walk_rows - 1 LIMIT 1` on the date index.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql

from app.actions.accounts import do_create_user
from app.actions.messages.send import MessageDraft, do_send_message
from app.actions.topics import do_create_topic
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.domain.pagination import PageRequest
from app.domain.windows import RelativeWindow
from app.filters import MessageFilterSpec
from app.models import Message
from app.queries import messages as messages_queries
from app.store.text_search import contains_match
from tests.conftest import BACKEND, make_settings

NOW = datetime.now(UTC)
INDEXED = {
    "ids": MessageFilterSpec(ids=(1, 2)),
    "conversation": None,  # filled in with a real conversation below
    "topic": MessageFilterSpec(topic="/T"),
    "topicUnder": MessageFilterSpec(topic_under="/T"),
    "authors": MessageFilterSpec(authors=("ann",)),
    "tags": MessageFilterSpec(tags=("x",)),
    "allTags": MessageFilterSpec(all_tags=("x", "y")),
    "tagPrefixes": MessageFilterSpec(tag_prefixes=("x",)),
    "labels": MessageFilterSpec(labels=("x",)),
    "allLabels": MessageFilterSpec(all_labels=("x", "y")),
    "labelPrefixes": MessageFilterSpec(label_prefixes=("x",)),
    "inReplyTo": MessageFilterSpec(in_reply_to=1),
    "root": MessageFilterSpec(root=1),
    "createdAfter": MessageFilterSpec(created_after=NOW - timedelta(hours=1)),
    "createdBefore": MessageFilterSpec(created_before=NOW - timedelta(days=300)),
    "createdWithin": MessageFilterSpec(created_within=RelativeWindow("START_OF_DAY")),
    "updatedAfter": MessageFilterSpec(updated_after=NOW - timedelta(hours=1)),
    "minVotesUp": MessageFilterSpec(min_votes_up=3),
    "minVotesDown": MessageFilterSpec(min_votes_down=3),
    "minReplies": MessageFilterSpec(min_replies=3),
    "minLikes": MessageFilterSpec(min_likes=3),
    "text": MessageFilterSpec(text="hello wor"),
    "textContains": MessageFilterSpec(text_contains="LO WOR"),
    "textContains and topic": MessageFilterSpec(text_contains="orld 1", topic="/T"),
}


WALK_ROWS = 4


@pytest.fixture
async def setup(tmp_path: Path) -> Any:
    settings = make_settings(tmp_path, list_walk_rows=WALK_ROWS)
    db = Database(settings)
    await upgrade(db)
    async with db.write() as uow:
        user = await do_create_user(
            uow, Passwords(settings), settings, username="ann", password="password-123", rights=("admin",)
        )
        assert user.id is not None
        viewer = Viewer(user_id=user.id, username="ann", rights=frozenset({"admin"}))
        await do_create_topic(uow, settings, viewer, path="/T", description=None, read_only=False)
        from app.actions.conversations import do_create_conversation

        other = await do_create_user(
            uow, Passwords(settings), settings, username="bob", password="password-123"
        )
        conversation = await do_create_conversation(
            uow, settings, viewer, participant_ids=[other.id or 0], title=None
        )
        for i in range(3 * WALK_ROWS):  # more than a walk's rows: the walk is bounded by a date
            text = f"hello world {i} #x" + (" #y" if i % 2 else "")
            await do_send_message(uow, settings, viewer, MessageDraft("/T", text, labels=[("x", "#f00")]))
    yield db, viewer, conversation.id
    await db.dispose()


async def plans_of(db: Database, run: Any) -> list[list[str]]:
    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        walk_bound = statement.rstrip().endswith("LIMIT ? OFFSET ?") and parameters[-1] == WALK_ROWS - 1
        on_messages = re.search(r"\b(FROM|JOIN) messages\b", statement) is not None
        if statement.lstrip().upper().startswith("SELECT") and on_messages and not walk_bound:
            captured.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await run()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    assert captured
    plans = []
    async with db.engine.connect() as conn:
        for statement, parameters in captured:
            rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
            plans.append(without_walk_bound([r[3] for r in rows], parameters))
    return plans


def without_walk_bound(plan: list[str], parameters: Any) -> list[str]:
    """A walk down the dates (message_lists._page_from_walk) finds its bound, the date WALK_ROWS
    messages on, with a subquery that steps that far along the date index: bounded by design, the
    one scan allowed (it was a statement of its own before)."""
    if WALK_ROWS - 1 not in tuple(parameters):
        return plan
    out: list[str] = []
    for line in plan:
        bound_scan = line == "SCAN messages USING COVERING INDEX ix_messages_created_at_id"
        if bound_scan and out and out[-1].startswith("SCALAR SUBQUERY"):
            out.pop()
            continue
        out.append(line)
    return out


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", sorted(INDEXED))
async def test_indexed_filters_never_scan_the_message_table(setup: Any, name: str) -> None:
    db, viewer, conversation_id = setup
    spec = INDEXED[name] or MessageFilterSpec(conversation=conversation_id)
    page = await plans_of(db, lambda: messages_queries.messages(db, viewer, spec, [], PageRequest(first=20)))
    count = await plans_of(db, lambda: messages_queries.message_count(db, viewer, spec))
    for plan in page + count:
        on_messages = [line for line in plan if line.split(" ")[1:2] == ["messages"]]
        assert on_messages, plan
        assert all(line.startswith("SEARCH messages") for line in on_messages), (name, plan)


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's plan for textContains")
async def test_text_contains_can_use_the_trigram_index_on_postgresql(setup: Any) -> None:
    """The ILIKE the filter compiles to is the one the pg_trgm GIN index of migration 0010 serves
    (sequential scans discouraged: on a dozen rows the planner would rightly prefer one)."""
    db, _, _ = setup
    stmt = select(func.count()).select_from(Message).where(contains_match("postgresql", "lo_w%r"))
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with db.engine.connect() as conn:
        await conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in (await conn.exec_driver_sql("EXPLAIN " + sql)).all())
    assert "ix_messages_text_trgm" in plan, plan
