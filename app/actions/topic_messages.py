"""Sending into topics: tags, mentions, urls, labels, replies, references, back-dating."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.access.places import WRITE, access_topic, require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages import AttachmentData, checked_attachments, earlier_send
from app.actions.notices import checked_localized, write_localized
from app.actions.refs import Ref, find_ref
from app.actions.validation import check_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Forbidden, InvalidInput, LimitExceeded, NotFound
from app.domain.message_text import check_color, check_label_text, parse_mentions, parse_tags, parse_urls
from app.models import Message, Topic, utcnow
from app.store import message_meta
from app.store import messages as message_store
from app.store import users as user_store

SYSTEM_RIGHT = "system"


@dataclass(frozen=True)
class Reply:
    """A reply created with its root, with its own labels (Tat's `messages: [{text, labels}]`)."""

    text: str
    labels: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class TopicSend:
    topic: str
    text: str
    in_reply_to: Ref | None = None
    create_root_if_missing: bool = False
    replies: Sequence[str | Reply] = ()
    replies_field: str = "replies"  # the input field the replies came from, for error messages
    labels: Sequence[tuple[str, str]] = ()
    attachments: Sequence[AttachmentData] = ()
    created_at: datetime | None = None
    client_mutation_id: str | None = None
    translations: Sequence[tuple[str, str]] = ()
    parameters: Sequence[str] = ()


def checked_labels(labels: Sequence[tuple[str, str]], *, field: str = "labels") -> list[tuple[str, str]]:
    return [
        (check_label_text(text, field=f"{field}[{i}].text"), check_color(color, field=f"{field}[{i}].color"))
        for i, (text, color) in enumerate(labels)
    ]


async def write_parsed(uow: UnitOfWork, message: Message) -> None:
    """Tags, mentions and urls from the text (on create and on every text edit)."""
    assert message.id is not None
    await message_meta.set_tags(uow.session, message_id=message.id, tags=parse_tags(message.text))
    names = parse_mentions(message.text)
    users = await user_store.users_by_usernames(uow.session, usernames=names)
    await message_meta.set_mentions(
        uow.session, message_id=message.id, user_ids=[u.id for u in users.values() if u.id is not None]
    )
    message.urls = parse_urls(message.text)
    await message_store.set_parsed(uow.session, message_id=message.id, urls=message.urls)


async def insert_topic_message(
    uow: UnitOfWork,
    viewer: Viewer,
    topic: Topic,
    text: str,
    *,
    parent: Message | None = None,
    labels: Sequence[tuple[str, str]] = (),
    attachments: Sequence[dict[str, object]] = (),
    created_at: datetime | None = None,
    client_mutation_id: str | None = None,
    author_id: int | None = None,
    copied_from_id: int | None = None,
) -> Message:
    message = await message_store.insert_message(
        uow.session,
        author_id=author_id or viewer.user_id,
        text=text,
        now=created_at or utcnow(),
        topic_id=topic.id,
        in_reply_to=parent,
        client_mutation_id=client_mutation_id,
        copied_from_id=copied_from_id,
    )
    assert message.id is not None
    await write_parsed(uow, message)
    if labels:
        await message_meta.add_labels(uow.session, message_id=message.id, labels=labels)
    if attachments:
        await message_store.insert_attachments(uow.session, message_id=message.id, attachments=attachments)
    return message


async def _check_room(uow: UnitOfWork, topic: Topic, parent: Message, adding: int) -> None:
    root_id = parent.root_id or parent.id
    assert root_id is not None
    size = await message_store.thread_size(uow.session, root_id=root_id)
    if size + adding > topic.max_replies:
        raise LimitExceeded(
            f"A thread in {topic.path} holds at most {topic.max_replies} replies (maxReplies).",
            limit=topic.max_replies,
            field="maxReplies",
        )


def _checked_replies(
    settings: Settings, topic: Topic, replies: Sequence[str | Reply], field: str
) -> list[Reply]:
    """Every reply's text and labels checked before anything is written."""
    if len(replies) > settings.max_replies_per_send:
        raise LimitExceeded(
            f"At most {settings.max_replies_per_send} replies per send.",
            limit=settings.max_replies_per_send,
            field=field,
        )
    out = []
    for i, reply in enumerate(replies):
        if isinstance(reply, str):
            check_text(reply, field=f"{field}[{i}]", max_length=topic.max_length)
            out.append(Reply(reply))
        else:
            check_text(reply.text, field=f"{field}[{i}].text", max_length=topic.max_length)
            out.append(Reply(reply.text, checked_labels(reply.labels, field=f"{field}[{i}].labels")))
    return out


async def do_send_topic_message(
    uow: UnitOfWork, settings: Settings, viewer: Viewer | None, data: TopicSend
) -> Message:
    viewer = require_viewer(viewer)
    earlier = await earlier_send(uow, viewer, data.client_mutation_id)
    if earlier is not None:
        return earlier
    topic, _ = await access_topic(uow.session, viewer, data.topic, need=WRITE)
    labels = checked_labels(data.labels)
    localized, parameters = checked_localized(settings, data.translations, data.parameters)
    attachments = checked_attachments(settings, data.attachments)
    check_text(data.text, field="text", max_length=topic.max_length, allow_empty=bool(attachments))
    replies = _checked_replies(settings, topic, data.replies, data.replies_field)
    if data.created_at is not None:
        if SYSTEM_RIGHT not in viewer.rights:
            raise Forbidden("Only system users may set createdAt.", right=SYSTEM_RIGHT)
        if not topic.can_force_date:
            raise Forbidden(f"{topic.path} does not allow back-dated messages.", parameter="canForceDate")
    parent: Message | None = None
    if data.in_reply_to is not None:
        ref = (
            data.in_reply_to
            if data.in_reply_to.topic or data.in_reply_to.id
            else Ref(**{**data.in_reply_to.__dict__, "topic": topic.path})
        )
        parent = await find_ref(uow, viewer, ref)
        if parent is None and not (data.create_root_if_missing and ref.by_reference):
            raise NotFound("The message to reply to was not found.")
        if parent is not None and parent.topic_id != topic.id:
            raise InvalidInput("A reply goes to the topic of the message it answers.", field="inReplyTo")
    now = data.created_at or utcnow()
    drafts: list[MessageEventDraft] = []
    if parent is not None and data.create_root_if_missing and data.replies:
        message = parent  # the root exists: `text` was only for creating it
    else:
        if parent is not None:
            await _check_room(uow, topic, parent, 1 + len(data.replies))
        message = await insert_topic_message(
            uow,
            viewer,
            topic,
            data.text,
            parent=parent,
            labels=labels,
            attachments=attachments,
            created_at=data.created_at,
            client_mutation_id=data.client_mutation_id,
        )
        await write_localized(uow, message, localized, parameters)
        drafts.append(MessageEventDraft(EventKind.ADDED, message, viewer.user_id))
    if data.replies:
        if parent is message:
            await _check_room(uow, topic, message, len(data.replies))
        elif len(data.replies) > topic.max_replies:
            raise LimitExceeded(
                f"A thread in {topic.path} holds at most {topic.max_replies} replies.",
                limit=topic.max_replies,
                field="maxReplies",
            )
        for reply in replies:
            created = await insert_topic_message(
                uow, viewer, topic, reply.text, parent=message, labels=reply.labels
            )
            drafts.append(MessageEventDraft(EventKind.ADDED, created, viewer.user_id))
    await record(uow, drafts, at=now if data.created_at is None else utcnow())
    return message
