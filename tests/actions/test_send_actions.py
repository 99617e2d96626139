"""Sending: the rows a send writes and the ADDED events it records (kind, message, actor, place)."""

from __future__ import annotations

from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, Reply, do_send_message
from app.actions.notices import do_send_notice
from app.models import (
    Message,
    MessageDelivery,
    MessageLabel,
    MessageMention,
    MessageTag,
    MessageTranslation,
)
from tests.actions.world import TOPIC, World


async def topic_id_of(world: World, message_id: int) -> int:
    (row,) = await world.rows(Message, id=message_id)
    assert row.topic_id is not None
    return int(row.topic_id)


async def test_a_conversation_message_is_one_row_and_one_added_event(world: World) -> None:
    start = await world.position()
    async with world.db.write() as uow:
        sent = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=world.conversation_id, text="hello #x")
        )
    assert sent.id is not None
    (row,) = await world.rows(Message, conversation_id=world.conversation_id)
    assert (row.id, row.text, row.author_id, row.topic_id) == (sent.id, "hello #x", world.ann.user_id, None)
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id) == ("ADDED", sent.id, world.ann.user_id)
    assert (event.conversation_id, event.topic_id, event.data) == (world.conversation_id, None, {})
    assert event.position > start


async def test_a_reply_in_a_conversation_records_the_reply_only(world: World) -> None:
    async with world.db.write() as uow:
        root = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=world.conversation_id, text="q")
        )
    start = await world.position()
    async with world.db.write() as uow:
        reply = await do_send_message(
            uow,
            world.settings,
            world.ben,
            MessageDraft(destination=world.conversation_id, text="a", in_reply_to=Ref(id=root.id)),
        )
    (row,) = await world.rows(Message, id=reply.id)
    assert (row.in_reply_to_id, row.root_id) == (root.id, root.id)
    (parent,) = await world.rows(Message, id=root.id)
    assert parent.reply_count == 1
    assert await world.kinds_after(start) == [("ADDED", reply.id, world.ben.user_id)]


async def test_a_topic_message_with_replies_and_labels(world: World) -> None:
    start = await world.position()
    send = MessageDraft(
        destination=TOPIC,
        text="disk #full on @ben, see https://ops.example/disk.",
        labels=[("urgent", "#f00")],
        reply_messages=[Reply("first"), Reply(text="second #fix", labels=[("done", "rgb(0,128,0)")])],
    )
    async with world.db.write() as uow:
        root = await do_send_message(uow, world.settings, world.ann, send)
    assert root.id is not None
    topic_id = await topic_id_of(world, root.id)
    messages = sorted(await world.rows(Message, topic_id=topic_id), key=lambda m: m.id)
    assert [(m.text, m.in_reply_to_id, m.root_id) for m in messages] == [
        (send.text, None, None),
        ("first", root.id, root.id),
        ("second #fix", root.id, root.id),
    ]
    assert messages[0].reply_count == 2 and messages[0].urls == ["https://ops.example/disk"]
    first, second = messages[1].id, messages[2].id
    assert {(t.message_id, t.tag) for t in await world.rows(MessageTag)} == {
        (root.id, "full"),
        (second, "fix"),
    }
    assert {(m.message_id, m.user_id) for m in await world.rows(MessageMention)} == {
        (root.id, world.ben.user_id)
    }
    labels = {
        (label.message_id, label.text, label.color, label.topic_id)
        for label in await world.rows(MessageLabel)
    }
    assert labels == {(root.id, "urgent", "#f00", topic_id), (second, "done", "rgb(0,128,0)", topic_id)}
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id, e.topic_id) for e in events] == [
        ("ADDED", root.id, world.ann.user_id, topic_id),
        ("ADDED", first, world.ann.user_id, topic_id),
        ("ADDED", second, world.ann.user_id, topic_id),
    ]
    assert len({e.at for e in events}) == 1  # one send, one moment


async def test_a_notice_reaches_each_recipient_once_and_records_one_event(world: World) -> None:
    start = await world.position()
    async with world.db.write() as uow:
        notice, delivered = await do_send_notice(
            uow,
            world.settings,
            world.root,
            user_ids=[world.ann.user_id, world.ben.user_id, world.ann.user_id],
            group_ids=[],
            text="Maintenance at {0}",
            translations=[("de", "Wartung um {0}")],
            parameters=["22:00"],
        )
    assert delivered == 2 and notice.id is not None
    (row,) = await world.rows(Message, id=notice.id)
    assert (row.topic_id, row.conversation_id, row.parameters) == (None, None, ["22:00"])
    deliveries = await world.rows(MessageDelivery, message_id=notice.id)
    assert sorted(d.user_id for d in deliveries) == sorted([world.ann.user_id, world.ben.user_id])
    (translation,) = await world.rows(MessageTranslation, message_id=notice.id)
    assert (translation.locale, translation.text) == ("de", "Wartung um {0}")
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id) == ("ADDED", notice.id, world.root.user_id)
    assert (event.topic_id, event.conversation_id) == (None, None)
