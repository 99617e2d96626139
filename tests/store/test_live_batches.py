"""The live hub's merged batch reads (app/store/live_batches.py) return what one read per relation
returns, on either database: a random world of messages with replies, tags, labels, readers, task
copies, moves and deletions, compared relation by relation."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from app.actions.messages.edit_delete import Cascade, do_delete_message
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.live.event_loading import read_events
from app.models import Message, MessageLabel, MessageRead, MessageTag, Topic
from app.store import events as event_store
from app.store import live_batches, topics, users
from app.store import messages as message_store
from tests.filters.test_filter_equivalence import build


async def test_merged_batch_reads_equal_one_read_per_relation(tmp_path: Path) -> None:
    db, viewers = await build(tmp_path, random.Random(20261129))
    try:
        async with db.write() as uow:  # tags and labels whose order is not the alphabet's
            unordered = await do_send_message(
                uow,
                db.settings,
                viewers[1],
                MessageDraft(
                    destination="/T", text="#zeta then #alpha", labels=[("zz", "#fff"), ("aa", "#000")]
                ),
            )
        assert unordered.id is not None
        async with db.read() as session:
            doomed = (await session.execute(select(Message.id).order_by(Message.id).limit(3))).scalars().all()
        for message_id in doomed:  # events whose message is gone
            async with db.write() as uow:
                await do_delete_message(uow, viewers[0], ref=Ref(id=message_id), cascade=Cascade.FORCE)
        async with db.read() as session:
            events = await event_store.events_after(session, position=0, limit=100_000)
            merged = await live_batches.events_with_messages_after(session, position=0, limit=100_000)
            messages = await message_store.message_records_by_ids(
                session, ids=[e.message_id for e in events if e.message_id is not None]
            )
            authors = await users.user_records_by_ids(session, ids=[m.author_id for m in messages.values()])
            topic_ids = list((await session.execute(select(Topic.id))).scalars())
            merged_topics = await topics.topics_with_grants_by_ids(session, ids=topic_ids)
            topic_records = await topics.topic_records_by_ids(session, ids=topic_ids)
            grants = await topics.grants_by_topic_ids(session, ids=topic_ids)
            message_ids = list((await session.execute(select(Message.id))).scalars()) + list(doomed)
            facts = await live_batches.fact_rows_by_message_ids(session, ids=message_ids)
            tags = (
                await session.execute(
                    select(MessageTag.message_id, MessageTag.tag).order_by(
                        MessageTag.message_id, MessageTag.position
                    )
                )
            ).all()
            labels = (
                await session.execute(
                    select(MessageLabel.message_id, MessageLabel.text).order_by(
                        MessageLabel.message_id, MessageLabel.position, MessageLabel.text
                    )
                )
            ).all()
            reads = (await session.execute(select(MessageRead.message_id, MessageRead.user_id))).all()
            copies = (
                await session.execute(
                    select(Message.copied_from_id, Topic.path)
                    .join(Topic, Topic.id == Message.topic_id)
                    .where(Message.copied_from_id.is_not(None))
                )
            ).all()

        # events, each with its message (None once deleted) and the message's author
        assert [e for e, _, _ in merged] == events
        gone = 0
        for event, message, author in merged:
            expected = messages.get(event.message_id) if event.message_id is not None else None
            assert message == expected, event.position
            assert author == (authors[expected.author_id] if expected is not None else None)
            gone += event.message_id is not None and message is None
        assert gone >= len(doomed)

        # topics with their grants, and topics with none
        assert {i: topic for i, (topic, _) in merged_topics.items()} == topic_records
        assert {i: sorted(g) for i, (_, g) in merged_topics.items()} == {
            i: sorted(g) for i, g in grants.items()
        }
        assert any(g for _, g in merged_topics.values()) and any(not g for _, g in merged_topics.values())

        # tags and labels in their order; readers and task copies as sets
        expected_tags: dict[int, list[str]] = {}
        for message_id, tag in tags:
            expected_tags.setdefault(message_id, []).append(tag)
        expected_labels: dict[int, list[str]] = {}
        for message_id, text in labels:
            expected_labels.setdefault(message_id, []).append(text)
        expected_readers: dict[int, set[int]] = {}
        for message_id, user_id in reads:
            expected_readers.setdefault(message_id, set()).add(user_id)
        expected_tasks: dict[int, set[str]] = {}
        for original, path in copies:
            expected_tasks.setdefault(original, set()).add(path)
        assert facts.tags[unordered.id] == ["zeta", "alpha"] and facts.labels[unordered.id] == ["zz", "aa"]
        assert facts.tags == expected_tags and any(len(t) > 1 for t in expected_tags.values())
        assert facts.labels == expected_labels and any(len(t) > 1 for t in expected_labels.values())
        assert facts.readers == expected_readers and expected_readers
        assert facts.task_paths == expected_tasks and expected_tasks
        async with db.read() as session:  # a replay's batch ends at `until`, in log order
            until = events[len(events) // 2].position
            cut = await read_events(session, after=events[0].position, limit=100_000, until=until)
            assert [e.position for e in cut] == [
                e.position for e in events if events[0].position < e.position <= until
            ]
            assert all(e.message == messages.get(e.message_id or 0) for e in cut if e.message is not None)
        async with db.read() as session:  # nothing asked, nothing read
            assert await topics.topics_with_grants_by_ids(session, ids=[]) == {}
            assert await live_batches.fact_rows_by_message_ids(session, ids=[]) == live_batches.FactRows()
            last = events[-1].position
            assert await live_batches.events_with_messages_after(session, position=last, limit=10) == []
    finally:
        await db.dispose()
