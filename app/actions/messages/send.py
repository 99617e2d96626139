"""Send a message: one use case, to a conversation or to a topic.

The destination decides the rules. A conversation message may reply to a message of the same
conversation (by id) and carry attachments, translations and parameters. A topic message may
also carry labels, replies created with it, a reply target found by tag or label (created when
missing), and a back-dated `createdAt`; it gets its tags, mentions and urls parsed. Either way a
retry with the same `client_mutation_id` returns the first message, and everything is checked
before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.access.places import WRITE, access_conversation, access_topic, require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.content import (
    AttachmentData,
    checked_attachments,
    checked_labels,
    checked_localized,
    insert_topic_message,
    write_translations,
)
from app.actions.messages.refs import Ref, find_ref
from app.actions.validation import check_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Conflict, Forbidden, InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.models import Message, Topic, utcnow
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import topics as topic_store
from app.store.rows import with_columns

SYSTEM_RIGHT = "system"


@dataclass(frozen=True)
class Reply:
    """A reply created with its root, with its own labels (Tat's `messages: [{text, labels}]`)."""

    text: str
    labels: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class MessageDraft:
    """A message to send. `destination` is a conversation id (int) or a topic path (str)."""

    destination: int | str
    text: str
    in_reply_to: Ref | None = None
    create_root_if_missing: bool = False
    replies: Sequence[str] | None = None
    reply_messages: Sequence[Reply] | None = None  # replies with labels; not together with `replies`
    labels: Sequence[tuple[str, str]] = ()
    attachments: Sequence[AttachmentData] = ()
    created_at: datetime | None = None
    client_mutation_id: str | None = None
    translations: Sequence[tuple[str, str]] = ()
    parameters: Sequence[str] = ()


def check_destination_rules(draft: MessageDraft) -> None:
    """What the destination allows, checked before anything is read."""
    if draft.replies is not None and draft.reply_messages is not None:
        raise InvalidInput("Pass `replies` or `replyMessages`, not both.", field="replyMessages")
    if isinstance(draft.destination, str):
        return
    if draft.replies or draft.reply_messages or draft.labels or draft.created_at:
        raise InvalidInput(
            "`replies`, `replyMessages`, `labels` and `createdAt` apply to topic messages.",
            field="conversation",
        )
    if draft.in_reply_to is not None and draft.in_reply_to.id is None:
        raise InvalidInput("In a conversation, reply to a message by its id.", field="inReplyTo")


async def earlier_send(uow: UnitOfWork, viewer: Viewer, client_mutation_id: str | None) -> Message | None:
    """The message an earlier send with this idempotency key created, if any."""
    if client_mutation_id is None:
        return None
    check_text(client_mutation_id, field="clientMutationId", max_length=128)
    return await message_store.get_message_by_client_id(
        uow.session, author_id=viewer.user_id, client_mutation_id=client_mutation_id
    )


async def do_send_message(
    uow: UnitOfWork, settings: Settings, viewer: Viewer | None, draft: MessageDraft
) -> Message:
    """Send `draft` to its destination and record ADDED for it (and for each reply created)."""
    check_destination_rules(draft)
    viewer = require_viewer(viewer)
    earlier = await earlier_send(uow, viewer, draft.client_mutation_id)
    if earlier is not None:
        await _check_same_send(uow, earlier, draft)
        return earlier
    if isinstance(draft.destination, str):
        return await _send_to_topic(uow, settings, viewer, draft, draft.destination)
    return await _send_to_conversation(uow, settings, viewer, draft, draft.destination)


async def _check_same_send(uow: UnitOfWork, earlier: Message, draft: MessageDraft) -> None:
    """A retry carries the payload of the first send: the same key with another text or
    destination is a client bug that a silent replay of the first message would hide."""
    if isinstance(draft.destination, str):
        topic = await topic_store.get_topic_by_path(uow.session, path=draft.destination)
        same_place = topic is not None and topic.id == earlier.topic_id
    else:
        same_place = earlier.conversation_id == draft.destination
    if not same_place or earlier.text != draft.text:
        raise Conflict(
            "This clientMutationId was used for another message (another text or destination).",
            field="clientMutationId",
        )


async def _send_to_conversation(
    uow: UnitOfWork, settings: Settings, viewer: Viewer, draft: MessageDraft, conversation_id: int
) -> Message:
    await access_conversation(uow.session, viewer, conversation_id)  # NotFound unless a participant
    checked = checked_attachments(settings, draft.attachments)
    check_text(draft.text, field="text", max_length=settings.max_message_length, allow_empty=bool(checked))
    localized, params = checked_localized(settings, draft.translations, draft.parameters)
    in_reply_to_id = draft.in_reply_to.id if draft.in_reply_to is not None else None
    parent = None
    if in_reply_to_id is not None:  # a thread inside the conversation
        parent = await message_store.get_message(uow.session, message_id=in_reply_to_id)
        if parent is None or parent.conversation_id != conversation_id:
            raise NotFound(
                "The message to reply to is not in this conversation.",
                id=to_global_id("Message", in_reply_to_id),
            )
        limit = settings.max_replies_default  # the same cap as a new topic's maxReplies
        if await message_store.thread_size(uow.session, root_id=parent.root_id or in_reply_to_id) >= limit:
            raise LimitExceeded(f"A thread holds at most {limit} replies.", limit=limit, field="inReplyTo")
    now = utcnow()
    message = await message_store.insert_message(
        uow.session,
        author_id=viewer.user_id,
        text=draft.text,
        now=now,
        conversation_id=conversation_id,
        in_reply_to=parent,
        parameters=params,
        translated=bool(localized),
        client_mutation_id=draft.client_mutation_id,
    )
    assert message.id is not None
    if checked:
        await message_store.insert_attachments(uow.session, message_id=message.id, attachments=checked)
    await write_translations(uow, message, localized)
    await conversation_store.touch_activity(uow.session, conversation_id=conversation_id, now=now)
    await record(uow, [MessageEventDraft(EventKind.ADDED, message, viewer.user_id)], at=now)
    return message


async def _send_to_topic(
    uow: UnitOfWork, settings: Settings, viewer: Viewer, draft: MessageDraft, path: str
) -> Message:
    topic, _ = await access_topic(uow.session, viewer, path, need=WRITE, to_change=False)
    labels = checked_labels(draft.labels)
    localized, parameters = checked_localized(settings, draft.translations, draft.parameters)
    attachments = checked_attachments(settings, draft.attachments)
    check_text(draft.text, field="text", max_length=topic.max_length, allow_empty=bool(attachments))
    replies = _checked_replies(settings, topic, draft)
    if draft.created_at is not None:
        if SYSTEM_RIGHT not in viewer.rights:
            raise Forbidden("Only system users may set createdAt.", right=SYSTEM_RIGHT)
        if not topic.can_force_date:
            raise Forbidden(f"{topic.path} does not allow back-dated messages.", parameter="canForceDate")
    parent: Message | None = None
    if draft.in_reply_to is not None:
        ref = draft.in_reply_to
        if not (ref.topic or ref.id):
            ref = replace(ref, topic=topic.path)  # a tag or label in this topic
        parent = await find_ref(uow, viewer, ref)
        if parent is None and not (draft.create_root_if_missing and ref.by_reference):
            raise NotFound("The message to reply to was not found.")
        if parent is not None and parent.topic_id != topic.id:
            raise InvalidInput("A reply goes to the topic of the message it answers.", field="inReplyTo")
    now = draft.created_at or utcnow()
    drafts: list[MessageEventDraft] = []
    if parent is not None and draft.create_root_if_missing and replies:
        message = parent  # the root exists: `text` was only for creating it
    else:
        if parent is not None:
            await _check_room(uow, topic, parent, 1 + len(replies))
        message = await insert_topic_message(
            uow,
            viewer,
            topic,
            draft.text,
            parent=parent,
            labels=labels,
            attachments=attachments,
            created_at=draft.created_at,
            client_mutation_id=draft.client_mutation_id,
            translations=localized,
            parameters=parameters,
        )
        drafts.append(MessageEventDraft(EventKind.ADDED, message, viewer.user_id))
    if replies:
        if parent is message:
            await _check_room(uow, topic, message, len(replies))
        elif len(replies) > topic.max_replies:
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
        if parent is not message:  # a record inserted above: it counts its replies as its row now does
            message = with_columns(message, {"reply_count": message.reply_count + len(replies)})
    await record(uow, drafts, at=now if draft.created_at is None else utcnow())
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


def _checked_replies(settings: Settings, topic: Topic, draft: MessageDraft) -> list[Reply]:
    """Every reply's text and labels checked before anything is written; errors name the input
    field the replies came from (`replies[i]` or `replyMessages[i].text`)."""
    field = "replies" if draft.reply_messages is None else "replyMessages"
    count = len(draft.replies or ()) if draft.reply_messages is None else len(draft.reply_messages)
    if count > settings.max_replies_per_send:
        raise LimitExceeded(
            f"At most {settings.max_replies_per_send} replies per send.",
            limit=settings.max_replies_per_send,
            field=field,
        )
    if draft.reply_messages is None:
        return [
            Reply(check_text(text, field=f"replies[{i}]", max_length=topic.max_length))
            for i, text in enumerate(draft.replies or ())
        ]
    return [
        Reply(
            check_text(reply.text, field=f"replyMessages[{i}].text", max_length=topic.max_length),
            checked_labels(reply.labels, field=f"replyMessages[{i}].labels"),
        )
        for i, reply in enumerate(draft.reply_messages)
    ]
