"""Edit and delete (with Tat's cascade modes), in conversations and topics alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.access.message_rules import Place, check_can_delete, check_can_update, place_of, places_of
from app.access.places import require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.content import AttachmentData, checked_attachments, write_parsed
from app.actions.messages.refs import Ref, resolve_ref
from app.actions.messages.tombstones import (
    check_not_deleted,
    do_tombstone,
    emptied_tombstones,
    keeps_tombstone,
)
from app.actions.validation import check_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Conflict, InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.filters import MessageFilterSpec, filter_conditions
from app.filters.before_facts import snapshot
from app.models import Message, utcnow
from app.store import message_lists
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import tombstones as tombstone_store


class Cascade(StrEnum):
    NONE = "NONE"  # refused while the message has replies or task copies
    REPLIES = "REPLIES"  # the thread under it too; refused while any of it is someone's task
    FORCE = "FORCE"  # the thread and every task copy


@dataclass(frozen=True)
class Deletion:
    deleted_ids: list[int]  # gone for good
    tombstones: list[Message] = field(default_factory=list)  # emptied in place (see tombstones.py)


async def do_edit_message(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    ref: Ref,
    text: str | None,
    append: str | None,
    attachments: Sequence[AttachmentData] | None,
) -> Message:
    viewer = require_viewer(viewer)
    message = await resolve_ref(uow, viewer, ref)
    check_not_deleted(message)
    place = await place_of(uow, viewer, message)
    check_can_update(viewer, message, place)
    if text is not None and append is not None:
        raise InvalidInput("Pass `text` to replace or `append` to add, not both.", field="append")
    if text is None and append is None and attachments is None:
        raise InvalidInput("Nothing to change: pass text, append or attachments.", field="text")
    checked = checked_attachments(settings, attachments) if attachments is not None else None
    max_length = place.topic.max_length if place.topic else settings.max_message_length
    now = utcnow()
    new_text = text if text is not None else message.text + (append or "")
    assert message.id is not None
    before = await snapshot(uow.session, ids=[message.id])
    if new_text != message.text:
        check_text(new_text, field="text", max_length=max_length, allow_empty=bool(checked))
        await message_store.update_message_text(
            uow.session, message=message, text=new_text, editor_id=viewer.user_id, now=now
        )
        if place.topic is not None:
            await write_parsed(uow, message)  # tags change only when the text does
    if checked is not None:
        await message_store.replace_attachments(uow.session, message_id=message.id, attachments=checked)
        await message_store.touch_message(uow.session, message_id=message.id, now=now)
        message.updated_at = now
    await record(uow, [MessageEventDraft(EventKind.EDITED, message, viewer.user_id)], at=now, before=before)
    return message


async def _resolve_for_delete(uow: UnitOfWork, viewer: Viewer, ref: Ref) -> Message:
    if viewer.is_admin and ref.id is not None and ref.topic is None:
        message = await message_store.get_message(uow.session, message_id=ref.id)
        if message is not None and (message.conversation_id is not None or message.topic_id is None):
            return message  # moderation: admins reach conversations they are not in, and notices
    return await resolve_ref(uow, viewer, ref)


async def doomed_ids(uow: UnitOfWork, messages: Sequence[Message], cascade: Cascade) -> list[int]:
    """What deleting `messages` with `cascade` removes; Conflict when the mode forbids it."""
    ids = [m.id for m in messages if m.id is not None]
    if cascade == Cascade.NONE:
        with_replies = [m for m in messages if m.reply_count > 0]
        if with_replies:
            raise Conflict("The message has replies: delete with cascade REPLIES or FORCE.", field="cascade")
    else:
        ids.extend(await message_store.descendant_ids(uow.session, messages=messages))
    copies = [c for c in await message_store.task_copy_ids(uow.session, original_ids=ids) if c not in ids]
    if copies and cascade != Cascade.FORCE:
        raise Conflict("The message is in someone's tasks: delete with cascade FORCE.", field="cascade")
    return list(dict.fromkeys(ids + copies))


async def check_conversation_cascade(uow: UnitOfWork, viewer: Viewer, ids: Sequence[int]) -> None:
    """In a conversation only a message's author (or a system admin) deletes it: a cascade from a
    thread's root may not take other participants' replies with it."""
    rows = await message_store.messages_by_ids(uow.session, ids=ids)
    for row in rows.values():
        if row.conversation_id is not None:
            check_can_delete(viewer, row, Place(None, 0))


async def delete_ids(uow: UnitOfWork, viewer: Viewer, ids: Sequence[int]) -> list[int]:
    rows = await message_store.messages_by_ids(uow.session, ids=ids)
    now = utcnow()
    # a deleted notice's inboxes go with it: the event keeps who had it, for the live path
    notices = [i for i, m in rows.items() if m.conversation_id is None and m.topic_id is None]
    inboxes = await notice_store.delivered_user_ids(uow.session, ids=notices)
    drafts = [
        MessageEventDraft(
            EventKind.DELETED,
            rows[i],
            viewer.user_id,
            {"audience": sorted({rows[i].author_id, *inboxes[i]})} if i in inboxes else {},
        )
        for i in ids
        if i in rows
    ]
    await record(uow, drafts, at=now)
    await message_store.delete_messages(uow.session, ids=ids)
    # a tombstone whose last reply went goes too, and so on up the thread
    parents = {m.in_reply_to_id for m in rows.values() if m.in_reply_to_id is not None} - set(ids)
    emptied = await emptied_tombstones(uow, sorted(parents))
    return [i for i in ids if i in rows] + (await delete_ids(uow, viewer, emptied) if emptied else [])


async def do_delete_message(
    uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, cascade: Cascade
) -> Deletion:
    viewer = require_viewer(viewer)
    message = await _resolve_for_delete(uow, viewer, ref)
    assert message.id is not None
    if message.conversation_id is None and message.topic_id is None:  # a notice
        if message.author_id != viewer.user_id and not viewer.is_admin:
            await notice_store.remove_delivery(uow.session, message_id=message.id, user_id=viewer.user_id)
            # gone from this recipient's inbox only: their other sessions see it deleted
            gone = {"audience": [viewer.user_id], "inboxOnly": True}
            await record(
                uow, [MessageEventDraft(EventKind.DELETED, message, viewer.user_id, gone)], at=utcnow()
            )
            return Deletion([message.id])
        return Deletion(await delete_ids(uow, viewer, [message.id]))
    place = await place_of(uow, viewer, message)
    check_can_delete(viewer, message, place)
    if cascade == Cascade.NONE and keeps_tombstone(message):
        return Deletion([], await do_tombstone(uow, viewer, [message]))
    ids = await doomed_ids(uow, [message], cascade)
    if message.id is None:
        raise NotFound("Message not found.", id=to_global_id("Message", ref.id or 0))
    await check_conversation_cascade(uow, viewer, ids)
    return Deletion(await delete_ids(uow, viewer, ids))


async def do_delete_messages(
    uow: UnitOfWork, settings: Settings, viewer: Viewer | None, *, spec: MessageFilterSpec, cascade: Cascade
) -> Deletion:
    """Delete what the filter matches, all or nothing. Without a cascade, a conversation message
    whose replies are not all deleted with it stays as a tombstone."""
    viewer = require_viewer(viewer)
    where = await filter_conditions(uow.session, viewer, spec)
    ids = await message_lists.matching_ids(uow.session, where=where, limit=settings.max_bulk_delete + 1)
    if len(ids) > settings.max_bulk_delete:
        raise LimitExceeded(
            f"A filter may delete at most {settings.max_bulk_delete} messages at once.",
            limit=settings.max_bulk_delete,
            field="filter",
        )
    rows = await message_store.messages_by_ids(uow.session, ids=ids)
    messages = [rows[i] for i in ids]
    places = await places_of(uow, viewer, messages)
    for message in messages:
        check_can_delete(viewer, message, places[message.topic_id])
    kept = [i for i in ids if cascade == Cascade.NONE and keeps_tombstone(rows[i])]
    roots = [m for m in messages if m.id not in kept and not (m.root_id in rows and m.root_id not in kept)]
    doomed = await doomed_ids(uow, roots, cascade)
    await check_conversation_cascade(uow, viewer, doomed)
    deleted = await delete_ids(uow, viewer, doomed)
    # the replies went along: a message left without any goes for good, the others become tombstones
    left = [i for i in kept if i not in deleted]
    deleted += await delete_ids(
        uow, viewer, await tombstone_store.childless_ids(uow.session, ids=left, tombstones_only=False)
    )
    emptied = [rows[i] for i in left if i not in deleted and rows[i].deleted_at is None]
    return Deletion(deleted, await do_tombstone(uow, viewer, emptied))
