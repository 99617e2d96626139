"""React, like, vote, label, move, set task, mark read: the rows each writes and the event it
records, and no event when nothing changed."""

from __future__ import annotations

from app.actions.messages.bulk import do_mark_conversation_read, do_mark_read
from app.actions.messages.reactions import do_react
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.actions.messages.tat import do_label, do_like, do_move, do_set_task, do_vote
from app.models import Message, MessageLabel, MessageLike, MessageRead, MessageVote, Reaction, Topic
from tests.actions.world import OTHER_TOPIC, TOPIC, World


async def send(world: World, text: str = "status #ops", labels: list[tuple[str, str]] | None = None) -> int:
    async with world.db.write() as uow:
        message = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=TOPIC, text=text, labels=labels or [])
        )
    assert message.id is not None
    return message.id


async def test_react_adds_and_removes_a_reaction_once(world: World) -> None:
    message = await send(world)
    start = await world.position()
    async with world.db.write() as uow:
        await do_react(uow, world.ben, ref=Ref(id=message), content=" 👍 ", remove=False)
    async with world.db.write() as uow:  # again: nothing changes, nothing recorded
        await do_react(uow, world.ben, ref=Ref(id=message), content="👍", remove=False)
    (reaction,) = await world.rows(Reaction, message_id=message)
    assert (reaction.user_id, reaction.content) == (world.ben.user_id, "👍")
    async with world.db.write() as uow:
        await do_react(uow, world.ben, ref=Ref(id=message), content="👍", remove=True)
    assert await world.rows(Reaction) == []
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id, e.data) for e in events] == [
        ("REACTED", message, world.ben.user_id, {"content": "👍", "removed": False}),
        ("REACTED", message, world.ben.user_id, {"content": "👍", "removed": True}),
    ]


async def test_like_and_unlike(world: World) -> None:
    message = await send(world)
    start = await world.position()
    async with world.db.write() as uow:
        await do_like(uow, world.cid, ref=Ref(id=message), liked=True)
    async with world.db.write() as uow:
        await do_like(uow, world.cid, ref=Ref(id=message), liked=True)  # no change, no event
    (like,) = await world.rows(MessageLike, message_id=message)
    assert like.user_id == world.cid.user_id
    assert (await world.rows(Message, id=message))[0].like_count == 1
    async with world.db.write() as uow:
        await do_like(uow, world.cid, ref=Ref(id=message), liked=False)
    assert await world.rows(MessageLike) == []
    assert (await world.rows(Message, id=message))[0].like_count == 0
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id, e.data.get("liked")) for e in events] == [
        ("LIKED", message, world.cid.user_id, True),
        ("LIKED", message, world.cid.user_id, False),
    ]
    assert events[0].data["before"]["message"]["like_count"] == 0


async def test_vote_up_down_and_withdraw(world: World) -> None:
    message = await send(world)
    start = await world.position()
    for direction in ("UP", "DOWN", None):
        async with world.db.write() as uow:
            await do_vote(uow, world.ben, ref=Ref(id=message), direction=direction)
        votes = [(v.user_id, v.direction) for v in await world.rows(MessageVote, message_id=message)]
        row = (await world.rows(Message, id=message))[0]
        expected = {"UP": (1, 0), "DOWN": (0, 1), None: (0, 0)}[direction]
        assert (row.votes_up, row.votes_down) == expected
        assert votes == ([] if direction is None else [(world.ben.user_id, 1 if direction == "UP" else -1)])
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id, e.data["direction"]) for e in events] == [
        ("VOTED", message, world.ben.user_id, "UP"),
        ("VOTED", message, world.ben.user_id, "DOWN"),
        ("VOTED", message, world.ben.user_id, None),
    ]


async def test_label_adds_removes_and_records_the_labels_it_replaced(world: World) -> None:
    message = await send(world, labels=[("old", "#000")])
    start = await world.position()
    async with world.db.write() as uow:
        _, created = await do_label(
            uow,
            world.ben,
            ref=Ref(id=message),
            add=[("new", "#0f0")],
            remove=["old"],
            replace_all=False,
            create_if_missing=None,
        )
    assert created is False
    labels = [(label.text, label.color) for label in await world.rows(MessageLabel, message_id=message)]
    assert labels == [("new", "#0f0")]
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id) == ("LABELED", message, world.ben.user_id)
    assert event.data["before"]["labels"] == ["old"]


async def test_label_by_reference_creates_the_message_when_missing(world: World) -> None:
    start = await world.position()
    async with world.db.write() as uow:
        message, created = await do_label(
            uow,
            world.ann,
            ref=Ref(topic=TOPIC, tag="build42"),
            add=[("ok", "#0f0")],
            remove=[],
            replace_all=False,
            create_if_missing="build #build42",
        )
    assert created is True and message.id is not None
    (row,) = await world.rows(Message, id=message.id)
    assert row.text == "build #build42"
    assert [label.text for label in await world.rows(MessageLabel, message_id=message.id)] == ["ok"]
    assert await world.kinds_after(start) == [("ADDED", message.id, world.ann.user_id)]


async def test_move_takes_the_thread_and_records_where_it_came_from(world: World) -> None:
    root = await send(world)
    async with world.db.write() as uow:
        reply = await do_send_message(
            uow,
            world.settings,
            world.ann,
            MessageDraft(destination=TOPIC, text="re", in_reply_to=Ref(id=root)),
        )
    assert reply.id is not None
    (source,) = await world.rows(Topic, path=TOPIC)
    (target,) = await world.rows(Topic, path=OTHER_TOPIC)
    start = await world.position()
    async with world.db.write() as uow:
        await do_move(uow, world.ann, ref=Ref(id=root), to_topic=OTHER_TOPIC)
    rows = await world.rows(Message, topic_id=target.id)
    assert {m.id for m in rows} == {root, reply.id}
    assert await world.rows(Message, topic_id=source.id) == []
    events = await world.events_after(start)
    assert sorted((e.kind, e.message_id, e.actor_id, e.topic_id) for e in events) == sorted(
        ("MOVED", i, world.ann.user_id, target.id) for i in (root, reply.id)
    )
    assert all(e.data["fromTopicId"] == source.id for e in events)


async def test_set_task_copies_into_the_task_list_and_back_out(world: World) -> None:
    message = await send(world, labels=[("urgent", "#f00")])
    (tasks,) = await world.rows(Topic, path="/Private/ben/Tasks")
    start = await world.position()
    async with world.db.write() as uow:
        await do_set_task(uow, world.ben, ref=Ref(id=message), task=True)
    (copy,) = await world.rows(Message, copied_from_id=message)
    assert (copy.topic_id, copy.text, copy.author_id) == (tasks.id, "status #ops", world.ann.user_id)
    assert [label.text for label in await world.rows(MessageLabel, message_id=copy.id)] == ["urgent"]
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id) for e in events] == [
        ("ADDED", copy.id, world.ben.user_id),
        ("TASK", message, world.ben.user_id),  # on the original, for live views of `isTask`
    ]
    assert events[1].data == {"task": True, "taskOwner": "ben"}
    start = await world.position()
    async with world.db.write() as uow:  # again: no change, no event
        await do_set_task(uow, world.ben, ref=Ref(id=message), task=True)
    assert await world.events_after(start) == []
    async with world.db.write() as uow:
        await do_set_task(uow, world.ben, ref=Ref(id=message), task=False)
    assert await world.rows(Message, copied_from_id=message) == []
    events = await world.events_after(start)
    assert [(e.kind, e.message_id, e.actor_id) for e in events] == [
        ("DELETED", copy.id, world.ben.user_id),
        ("TASK", message, world.ben.user_id),
    ]
    assert events[1].data == {"task": False, "taskOwner": "ben"}


async def test_mark_read_records_only_what_was_unread(world: World) -> None:
    first, second = await send(world, "one"), await send(world, "two")
    async with world.db.write() as uow:
        assert await do_mark_read(uow, world.settings, world.cid, ids=[first], spec=None) == 1
    start = await world.position()
    async with world.db.write() as uow:
        assert await do_mark_read(uow, world.settings, world.cid, ids=[first, second], spec=None) == 1
    reads = {(r.user_id, r.message_id) for r in await world.rows(MessageRead)}
    assert reads == {(world.cid.user_id, first), (world.cid.user_id, second)}
    assert await world.kinds_after(start) == [("READ", second, world.cid.user_id)]


async def test_mark_a_conversation_read_records_one_event_with_the_count(world: World) -> None:
    async with world.db.write() as uow:
        for text in ("a", "b", "c"):
            last = await do_send_message(
                uow, world.settings, world.ann, MessageDraft(destination=world.conversation_id, text=text)
            )
    start = await world.position()
    async with world.db.write() as uow:
        count = await do_mark_conversation_read(
            uow, world.ben, conversation_id=world.conversation_id, up_to=None
        )
    assert count == 3
    assert len(await world.rows(MessageRead, user_id=world.ben.user_id)) == 3
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.actor_id, event.data) == (
        "READ",
        last.id,
        world.ben.user_id,
        {"count": 3},
    )
    async with world.db.write() as uow:  # all read already: nothing recorded
        assert (
            await do_mark_conversation_read(uow, world.ben, conversation_id=world.conversation_id, up_to=None)
            == 0
        )
    assert len(await world.events_after(start)) == 1
