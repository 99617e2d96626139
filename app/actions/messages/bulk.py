"""Changes to many messages at once, each in one transaction: mark read (chosen by ids, by a filter,
or a conversation up to a message) and label (by a filter)."""

from __future__ import annotations

from collections.abc import Sequence

from app.access.message_rules import places_of
from app.access.places import WRITE, access_conversation, readable_message_ids, require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.content import checked_labels
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.filters import MessageFilterSpec, filter_conditions
from app.filters.before_facts import snapshot
from app.models import Message, utcnow
from app.store import message_lists, message_meta
from app.store import messages as message_store
from app.store import read_state as read_store


async def chosen(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer,
    *,
    ids: Sequence[int] | None,
    spec: MessageFilterSpec | None,
) -> list[Message]:
    """The messages named by ids (each must be readable) or matched by a filter, capped."""
    if (ids is None) == (spec is None):
        raise InvalidInput("Pass `ids` or `filter`.", field="ids")
    cap = settings.max_bulk_delete
    if ids is not None:
        if len(ids) > cap:
            raise LimitExceeded(f"At most {cap} ids at once.", limit=cap, field="ids")
        rows = await message_store.messages_by_ids(uow.session, ids=ids)
        readable = await readable_message_ids(uow.session, viewer, list(rows.values()))
        for i in ids:
            if i not in readable:
                raise NotFound("Message not found.", id=to_global_id("Message", i))
        return [rows[i] for i in dict.fromkeys(ids)]
    assert spec is not None
    where = await filter_conditions(uow.session, viewer, spec)
    found = await message_lists.matching_ids(uow.session, where=where, limit=cap + 1)
    if len(found) > cap:
        raise LimitExceeded(f"A filter may choose at most {cap} messages at once.", limit=cap, field="filter")
    rows = await message_store.messages_by_ids(uow.session, ids=found)
    return [rows[i] for i in found]


async def do_mark_read(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    ids: Sequence[int] | None,
    spec: MessageFilterSpec | None,
) -> int:
    viewer = require_viewer(viewer)
    messages = await chosen(uow, settings, viewer, ids=ids, spec=spec)
    now = utcnow()
    fresh = set(
        await read_store.mark_messages_read(
            uow.session, user_id=viewer.user_id, ids=[m.id for m in messages if m.id is not None], now=now
        )
    )
    await record(
        uow, [MessageEventDraft(EventKind.READ, m, viewer.user_id) for m in messages if m.id in fresh], at=now
    )
    return len(fresh)


async def do_mark_conversation_read(
    uow: UnitOfWork, viewer: Viewer | None, *, conversation_id: int, up_to: int | None
) -> int:
    viewer = require_viewer(viewer)
    await access_conversation(uow.session, viewer, conversation_id)  # NotFound unless a participant
    if up_to is None:
        last = await message_store.last_message_ids_by_conversation_ids(uow.session, ids=[conversation_id])
        if conversation_id not in last:
            return 0
        up_to = last[conversation_id]
    target = await message_store.get_message(uow.session, message_id=up_to)
    if target is None or target.conversation_id != conversation_id:
        raise NotFound("Message not found in this conversation.", id=to_global_id("Message", up_to))
    now = utcnow()
    count = await read_store.mark_conversation_read(
        uow.session, user_id=viewer.user_id, conversation_id=conversation_id, up_to=up_to, now=now
    )
    if count:
        await record(
            uow,
            [MessageEventDraft(EventKind.READ, target, viewer.user_id, {"count": count})],
            at=now,
        )
    return count


async def do_label_messages(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    spec: MessageFilterSpec,
    add: Sequence[tuple[str, str]],
    remove: Sequence[str],
    replace_all: bool,
) -> int:
    """Label every message the filter matches (write access to each, or nothing changes)."""
    viewer = require_viewer(viewer)
    labels = checked_labels(add, field="add")
    if not labels and not remove and not replace_all:
        raise InvalidInput("Pass labels to add or remove, or replaceAll.", field="add")
    messages = await chosen(uow, settings, viewer, ids=None, spec=spec)
    places = await places_of(uow, viewer, messages)
    for message in messages:
        if message.topic_id is None:
            raise InvalidInput("Only topic messages carry labels.", field="filter")
        place = places[message.topic_id]
        if place.level < WRITE:
            raise Forbidden(
                f"Labelling in {place.topic.path if place.topic else ''} needs write access.", right="write"
            )
    now = utcnow()
    before = await snapshot(uow.session, ids=[m.id for m in messages if m.id is not None])
    for message in messages:
        assert message.id is not None
        await message_meta.remove_labels(
            uow.session, message_id=message.id, texts=None if replace_all else remove
        )
        if labels:
            await message_meta.add_labels(uow.session, message_id=message.id, labels=labels)
        await message_store.touch_message(uow.session, message_id=message.id, now=now)
    drafts = [MessageEventDraft(EventKind.LABELED, m, viewer.user_id) for m in messages]
    await record(uow, drafts, at=now, before=before)
    return len(messages)
