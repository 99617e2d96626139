"""Tat actions on a referenced message: like, vote, label, move, task."""

from __future__ import annotations

from collections.abc import Sequence

from app.access.message_rules import place_of
from app.access.places import ADMIN, WRITE, access_topic, require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.content import checked_labels, insert_topic_message, too_many_labels
from app.actions.messages.edit_delete import delete_ids
from app.actions.messages.refs import Ref, find_placed_ref, resolve_ref
from app.actions.messages.tombstones import check_not_deleted
from app.actions.validation import check_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.domain.errors import Forbidden, InvalidInput, NotFound
from app.domain.message_text import MAX_LABELS_PER_MESSAGE
from app.domain.topic_paths import tasks_topic
from app.filters.before_facts import snapshot
from app.models import Message, utcnow
from app.store import message_meta
from app.store import messages as message_store
from app.store import topics as topic_store

VOTES = {"UP": 1, "DOWN": -1}


def _topic_only(message: Message, action: str) -> None:
    if message.topic_id is None:
        raise InvalidInput(f"Only topic messages can be {action}.", field="ref")


async def do_like(uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, liked: bool) -> Message:
    viewer = require_viewer(viewer)
    message = await resolve_ref(uow, viewer, ref)
    check_not_deleted(message)
    assert message.id is not None
    now = utcnow()
    before = await snapshot(uow.session, ids=[message.id])
    if await message_meta.set_like(
        uow.session, message_id=message.id, user_id=viewer.user_id, liked=liked, now=now
    ):
        draft = MessageEventDraft(EventKind.LIKED, message, viewer.user_id, {"liked": liked})
        await record(uow, [draft], at=now, before=before)
    return message


async def do_vote(uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, direction: str | None) -> Message:
    viewer = require_viewer(viewer)
    message = await resolve_ref(uow, viewer, ref)
    check_not_deleted(message)
    assert message.id is not None
    value = VOTES[direction] if direction else None
    before = await snapshot(uow.session, ids=[message.id])
    if await message_meta.set_vote(
        uow.session, message_id=message.id, user_id=viewer.user_id, direction=value
    ):
        await uow.session.refresh(message)
        await record(
            uow,
            [MessageEventDraft(EventKind.VOTED, message, viewer.user_id, {"direction": direction})],
            at=utcnow(),
            before=before,
        )
    return message


async def do_label(
    uow: UnitOfWork,
    viewer: Viewer | None,
    *,
    ref: Ref,
    add: Sequence[tuple[str, str]],
    remove: Sequence[str],
    replace_all: bool,
    create_if_missing: str | None,
) -> tuple[Message, bool]:
    """Add/remove/replace labels; with `create_if_missing`, create the message if `ref` matches none."""
    viewer = require_viewer(viewer)
    labels = checked_labels(add, field="add")
    if not labels and not remove and not replace_all:
        raise InvalidInput("Pass labels to add or remove, or replaceAll.", field="add")
    found = await find_placed_ref(uow, viewer, ref)
    created = False
    if found is None:
        if create_if_missing is None or not ref.by_reference:
            return await resolve_ref(uow, viewer, ref), False  # raises NotFound
        assert ref.topic is not None
        topic, _ = await access_topic(uow.session, viewer, ref.topic, need=WRITE, field="ref.topic")
        check_text(create_if_missing, field="createIfMissing", max_length=topic.max_length)
        message = await insert_topic_message(uow, viewer, topic, create_if_missing, labels=labels)
        await record(uow, [MessageEventDraft(EventKind.ADDED, message, viewer.user_id)], at=utcnow())
        return message, True
    message, place = found  # the topic and its grants, loaded once while finding the message
    _topic_only(message, "labelled")
    if place.level < WRITE:
        raise Forbidden(
            f"Labelling in {place.topic.path if place.topic else ''} needs write access.", right="write"
        )
    assert message.id is not None
    before = await snapshot(uow.session, ids=[message.id])
    kept = set() if replace_all else set(before[message.id]["labels"]) - set(remove)
    if len(kept | {text for text, _ in labels}) > MAX_LABELS_PER_MESSAGE:
        raise too_many_labels("add")
    await message_meta.remove_labels(
        uow.session, message_id=message.id, texts=None if replace_all else list(remove)
    )
    if labels:
        await message_meta.add_labels(uow.session, message_id=message.id, labels=labels)
    now = utcnow()
    message.updated_at = now
    await message_store.touch_message(uow.session, message_id=message.id, now=now)
    await record(uow, [MessageEventDraft(EventKind.LABELED, message, viewer.user_id)], at=now, before=before)
    return message, created


async def do_move(uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, to_topic: str) -> Message:
    viewer = require_viewer(viewer)
    message = await resolve_ref(uow, viewer, ref)
    _topic_only(message, "moved")
    if message.root_id is not None:
        raise InvalidInput("Move the root of a thread; its replies follow it.", field="ref")
    place = await place_of(uow, viewer, message)
    if place.level < WRITE:
        raise Forbidden("Moving needs write access to the source topic.", right="write")
    if message.author_id != viewer.user_id and place.level < ADMIN:
        raise Forbidden("Only the author or a topic admin may move a message.", right="admin")
    target, _ = await access_topic(uow.session, viewer, to_topic, need=WRITE, field="toTopic")
    assert message.id is not None and target.id is not None and place.topic is not None
    if target.id == message.topic_id:
        return message
    ids = await message_store.thread_ids(uow.session, root_ids=[message.id])
    before = await snapshot(uow.session, ids=ids)
    now = utcnow()
    await message_store.move_messages(uow.session, ids=ids, topic_id=target.id, now=now)
    rows = await message_store.messages_by_ids(uow.session, ids=ids)
    for row in rows.values():
        await uow.session.refresh(row)
    data = {"fromTopicId": place.topic.id}
    await record(
        uow,
        [MessageEventDraft(EventKind.MOVED, rows[i], viewer.user_id, data) for i in ids],
        at=now,
        before=before,
    )
    return rows[message.id]


async def do_set_task(uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, task: bool) -> Message:
    """Copy the message into /Private/<viewer>/Tasks, or remove it from there."""
    viewer = require_viewer(viewer)
    message = await resolve_ref(uow, viewer, ref)
    _topic_only(message, "tasks")
    tasks = await topic_store.get_topic_by_path(uow.session, path=tasks_topic(viewer.username))
    if tasks is None or tasks.id is None:
        raise NotFound("Your task list is missing.")
    original_id = (
        message.copied_from_id if message.topic_id == tasks.id and message.copied_from_id else message.id
    )
    assert original_id is not None
    copy = await message_store.get_task_copy(uow.session, original_id=original_id, tasks_topic_id=tasks.id)
    original = await message_store.get_message(uow.session, message_id=original_id) or message
    if task and copy is None:
        if message.topic_id == tasks.id:
            return message  # already in the task list as itself
        labels = await message_meta.labels_by_message_ids(uow.session, ids=[original_id])
        copy = await insert_topic_message(
            uow,
            viewer,
            tasks,
            original.text,
            author_id=original.author_id,
            copied_from_id=original_id,
            labels=[(label.text, label.color) for label in labels[original_id]],
        )
        await record(uow, [MessageEventDraft(EventKind.ADDED, copy, viewer.user_id)], at=utcnow())
    elif not task and copy is not None and copy.id is not None:
        await delete_ids(uow, viewer, [copy.id])
    else:
        return original  # no change, no event
    # on the original too, so a live view of it (`tasks`, `isTask`) hears of it: private to the viewer
    await record(
        uow,
        [
            MessageEventDraft(
                EventKind.TASK, original, viewer.user_id, {"task": task, "taskOwner": viewer.username.lower()}
            )
        ],
        at=utcnow(),
    )
    return original
