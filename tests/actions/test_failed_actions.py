"""An action that fails writes no row and records no event, also when it fails after its first
insert (the caller's transaction rolls back as a whole)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.actions.announcements import AnnouncementDraft, do_publish
from app.actions.groups import do_create_group, do_set_group_members
from app.actions.messages.edit_delete import do_edit_message
from app.actions.messages.reactions import do_react
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.actions.messages.tat import do_label, do_move
from app.core.db import UnitOfWork
from app.domain.errors import DomainError, Forbidden, InvalidInput, LimitExceeded, NotFound
from app.models import Announcement, GroupMember, Message, MessageLabel, MessageRevision, Reaction
from tests.actions.world import OTHER_TOPIC, TOPIC, World, build_world

Attempt = Callable[[World, UnitOfWork, int], Awaitable[object]]  # (world, uow, ann's message id)

ATTEMPTS: dict[str, tuple[Attempt, type[DomainError]]] = {
    "send to a topic read only to the sender": (
        lambda w, uow, m: do_send_message(uow, w.settings, w.cid, MessageDraft(destination=TOPIC, text="hi")),
        Forbidden,
    ),
    "send to a conversation the sender is not in": (
        lambda w, uow, m: do_send_message(
            uow, w.settings, w.cid, MessageDraft(destination=w.conversation_id, text="hi")
        ),
        NotFound,
    ),
    "send with a malformed label colour": (
        lambda w, uow, m: do_send_message(
            uow, w.settings, w.ann, MessageDraft(destination=TOPIC, text="hi", labels=[("x", "blue")])
        ),
        InvalidInput,
    ),
    "send back-dated without the system right": (
        lambda w, uow, m: do_send_message(
            uow,
            w.settings,
            w.ann,
            MessageDraft(destination=TOPIC, text="hi", created_at=datetime(2020, 1, 1, tzinfo=UTC)),
        ),
        Forbidden,
    ),
    "edit someone else's message": (
        lambda w, uow, m: do_edit_message(
            uow, w.settings, w.ben, ref=Ref(id=m), text="mine now", append=None, attachments=None
        ),
        Forbidden,
    ),
    "react with an empty reaction": (
        lambda w, uow, m: do_react(uow, w.ben, ref=Ref(id=m), content="  ", remove=False),
        InvalidInput,
    ),
    "label with read access only": (
        lambda w, uow, m: do_label(
            uow,
            w.cid,
            ref=Ref(id=m),
            add=[("x", "#fff")],
            remove=[],
            replace_all=False,
            create_if_missing=None,
        ),
        Forbidden,
    ),
    "move someone else's message": (
        lambda w, uow, m: do_move(uow, w.ben, ref=Ref(id=m), to_topic=OTHER_TOPIC),
        Forbidden,
    ),
    "publish an announcement without the right": (
        lambda w, uow, m: do_publish(
            uow, w.ann, announcement_id=None, draft=AnnouncementDraft(title=[("en", "t")], body=[("en", "b")])
        ),
        Forbidden,
    ),
    "create a group holding an unknown user": (
        lambda w, uow, m: do_create_group(uow, w.ann, name="ghosts", member_ids=[w.ann.user_id, 999_999]),
        NotFound,
    ),
}

COUNTED = (Message, MessageLabel, MessageRevision, Reaction, Announcement, GroupMember)


async def counts(world: World) -> dict[str, int]:
    return {model.__name__: await world.count(model) for model in COUNTED}


@pytest.mark.parametrize("name", list(ATTEMPTS))
async def test_a_refused_action_writes_nothing_and_records_nothing(world: World, name: str) -> None:
    attempt, expected = ATTEMPTS[name]
    async with world.db.write() as uow:
        message = await do_send_message(
            uow, world.settings, world.ann, MessageDraft(destination=TOPIC, text="mine")
        )
    assert message.id is not None
    before, start = await counts(world), await world.position()
    with pytest.raises(expected):
        async with world.db.write() as uow:
            await attempt(world, uow, message.id)
    assert await counts(world) == before
    assert await world.events_after(start) == []
    (row,) = await world.rows(Message, id=message.id)
    assert row.text == "mine"


async def test_a_group_change_refused_to_a_stranger_changes_no_member(world: World) -> None:
    async with world.db.write() as uow:
        group = await do_create_group(uow, world.ann, name="ops", member_ids=[world.ben.user_id])
    assert group.id is not None
    with pytest.raises(Forbidden):
        async with world.db.write() as uow:
            await do_set_group_members(uow, world.cid, group_id=group.id, add=[world.cid.user_id], remove=[])
    assert [m.user_id for m in await world.rows(GroupMember, group_id=group.id)] == [world.ben.user_id]


async def test_a_send_refused_after_its_root_was_inserted_leaves_nothing(tmp_path: Path) -> None:
    world = await build_world(tmp_path, max_replies_default=1)
    try:
        start = await world.position()
        with pytest.raises(LimitExceeded) as refused:
            async with world.db.write() as uow:
                await do_send_message(
                    uow,
                    world.settings,
                    world.ann,
                    MessageDraft(destination=TOPIC, text="root", replies=["a", "b"]),
                )
        assert refused.value.limit == 1
        assert await world.count(Message) == 0
        assert await world.events_after(start) == []
    finally:
        await world.db.dispose()
