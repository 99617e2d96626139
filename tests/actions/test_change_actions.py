"""Editing and deleting: rows changed or removed, and the EDITED / DELETED events recorded, for
each cascade mode and the conversation tombstone."""

from __future__ import annotations

import pytest

from app.actions.messages.edit_delete import Cascade, do_delete_message, do_edit_message
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.actions.messages.tat import do_set_task
from app.domain.errors import Conflict
from app.models import Message, MessageRevision, MessageTag
from tests.actions.world import TOPIC, World


async def send_thread(world: World, replies: int = 2) -> tuple[int, list[int]]:
    """A root by ann in /Team with replies by ben; (root id, reply ids)."""
    async with world.db.write() as uow:
        root = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=TOPIC, text="root #r")
        )
        ids = []
        for i in range(replies):
            reply = await do_send_message(
                uow,
                world.settings,
                world.ben,
                MessageDraft(destination=TOPIC, text=f"re {i}", in_reply_to=Ref(id=root.id)),
            )
            assert reply.id is not None
            ids.append(reply.id)
    assert root.id is not None
    return root.id, ids


async def test_an_edit_replaces_the_text_keeps_a_revision_and_records_what_it_replaced(world: World) -> None:
    root, _ = await send_thread(world, replies=0)
    start = await world.position()
    async with world.db.write() as uow:
        await do_edit_message(
            uow, world.settings, world.ann, ref=Ref(id=root), text="root #new", append=None, attachments=None
        )
    (row,) = await world.rows(Message, id=root)
    assert row.text == "root #new" and row.updated_at is not None
    assert [t.tag for t in await world.rows(MessageTag, message_id=root)] == ["new"]
    (revision,) = await world.rows(MessageRevision, message_id=root)
    assert (revision.text, revision.editor_id) == ("root #r", world.ann.user_id)
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id) == ("EDITED", root, world.ann.user_id)
    before = event.data["before"]
    assert before["message"]["text"] == "root #r" and before["tags"] == ["r"]


async def test_an_append_adds_to_the_text(world: World) -> None:
    root, _ = await send_thread(world, replies=0)
    start = await world.position()
    async with world.db.write() as uow:
        await do_edit_message(
            uow, world.settings, world.ann, ref=Ref(id=root), text=None, append=" +1", attachments=None
        )
    (row,) = await world.rows(Message, id=root)
    assert row.text == "root #r +1"
    assert await world.kinds_after(start) == [("EDITED", root, world.ann.user_id)]


async def test_delete_without_cascade_removes_a_lone_message(world: World) -> None:
    root, _ = await send_thread(world, replies=0)
    start = await world.position()
    async with world.db.write() as uow:
        deletion = await do_delete_message(uow, world.ann, ref=Ref(id=root), cascade=Cascade.NONE)
    assert deletion.deleted_ids == [root]
    assert await world.rows(Message, id=root) == []
    assert await world.rows(MessageTag, message_id=root) == []
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id, event.data) == (
        "DELETED",
        root,
        world.ann.user_id,
        {},
    )
    assert event.topic_id is not None


async def test_delete_without_cascade_refuses_a_topic_message_with_replies(world: World) -> None:
    root, replies = await send_thread(world)
    start = await world.position()
    with pytest.raises(Conflict) as refused:
        async with world.db.write() as uow:
            await do_delete_message(uow, world.ann, ref=Ref(id=root), cascade=Cascade.NONE)
    assert refused.value.field == "cascade"
    assert await world.count(Message) == 1 + len(replies)
    assert await world.events_after(start) == []


async def test_delete_with_replies_takes_the_thread(world: World) -> None:
    root, replies = await send_thread(world)
    start = await world.position()
    async with world.db.write() as uow:
        deletion = await do_delete_message(uow, world.root, ref=Ref(id=root), cascade=Cascade.REPLIES)
    assert sorted(deletion.deleted_ids) == sorted([root, *replies])
    assert await world.count(Message) == 0
    events = await world.kinds_after(start)
    assert sorted(events) == sorted(("DELETED", i, world.root.user_id) for i in [root, *replies])


async def test_a_task_copy_stops_replies_but_not_force(world: World) -> None:
    root, replies = await send_thread(world, replies=1)
    async with world.db.write() as uow:
        await do_set_task(uow, world.cid, ref=Ref(id=replies[0]), task=True)
    (copy,) = await world.rows(Message, copied_from_id=replies[0])
    start = await world.position()
    with pytest.raises(Conflict):
        async with world.db.write() as uow:
            await do_delete_message(uow, world.root, ref=Ref(id=root), cascade=Cascade.REPLIES)
    assert await world.count(Message) == 3 and await world.events_after(start) == []
    async with world.db.write() as uow:
        deletion = await do_delete_message(uow, world.root, ref=Ref(id=root), cascade=Cascade.FORCE)
    assert sorted(deletion.deleted_ids) == sorted([root, replies[0], copy.id])
    assert await world.count(Message) == 0
    events = await world.events_after(start)
    assert sorted((e.kind, e.message_id) for e in events) == sorted(
        ("DELETED", i) for i in (root, replies[0], copy.id)
    )
    assert {e.actor_id for e in events} == {world.root.user_id}


async def test_a_conversation_message_with_replies_becomes_a_tombstone(world: World) -> None:
    async with world.db.write() as uow:
        question = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=world.conversation_id, text="question")
        )
        answer = await do_send_message(
            uow,
            world.settings,
            world.ben,
            MessageDraft(destination=world.conversation_id, text="answer", in_reply_to=Ref(id=question.id)),
        )
    start = await world.position()
    async with world.db.write() as uow:
        deletion = await do_delete_message(uow, world.ann, ref=Ref(id=question.id), cascade=Cascade.NONE)
    assert deletion.deleted_ids == []
    (row,) = await world.rows(Message, id=question.id)
    assert row.text == "" and row.deleted_at is not None
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id) == ("EDITED", question.id, world.ann.user_id)
    assert event.data["deleted"] is True
    assert event.data["before"]["message"]["text"] == "question"  # a text filter hears it stop matching
    assert event.conversation_id == world.conversation_id

    # the last reply going takes the tombstone with it
    start = await world.position()
    async with world.db.write() as uow:
        deletion = await do_delete_message(uow, world.ben, ref=Ref(id=answer.id), cascade=Cascade.NONE)
    assert deletion.deleted_ids == [answer.id, question.id]
    assert await world.rows(Message, conversation_id=world.conversation_id) == []
    assert await world.kinds_after(start) == [
        ("DELETED", answer.id, world.ben.user_id),
        ("DELETED", question.id, world.ben.user_id),
    ]
