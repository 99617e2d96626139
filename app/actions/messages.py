"""Messages in conversations: send, edit, delete, react, mark read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.access.places import access_conversation, require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.notices import checked_localized, write_localized
from app.actions.refs import Ref, resolve_ref
from app.actions.tombstones import check_not_deleted
from app.actions.validation import check_text, check_url
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.models import Message, utcnow
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import reactions as reaction_store
from app.store import read_state as read_store


@dataclass(frozen=True)
class AttachmentData:
    name: str
    url: str
    mime_type: str
    size: int

    def checked(self, index: int) -> dict[str, object]:
        field = f"attachments[{index}]"
        check_text(self.name, field=f"{field}.name", max_length=255)
        check_url(self.url, field=f"{field}.url")
        check_text(self.mime_type, field=f"{field}.mimeType", max_length=255)
        if "/" not in self.mime_type:
            raise InvalidInput(f"`{field}.mimeType` must look like 'image/png'.", field=field)
        if self.size < 0:
            raise InvalidInput(f"`{field}.size` must not be negative.", field=field)
        return {"name": self.name, "url": self.url, "mime_type": self.mime_type, "size": self.size}


def checked_attachments(settings: Settings, attachments: Sequence[AttachmentData]) -> list[dict[str, object]]:
    if len(attachments) > settings.max_attachments:
        raise LimitExceeded(
            f"A message has at most {settings.max_attachments} attachments.",
            limit=settings.max_attachments,
            field="attachments",
        )
    return [a.checked(i) for i, a in enumerate(attachments)]


async def earlier_send(uow: UnitOfWork, viewer: Viewer, client_mutation_id: str | None) -> Message | None:
    """The message an earlier send with this idempotency key created, if any."""
    if client_mutation_id is None:
        return None
    check_text(client_mutation_id, field="clientMutationId", max_length=128)
    return await message_store.get_message_by_client_id(
        uow.session, author_id=viewer.user_id, client_mutation_id=client_mutation_id
    )


async def do_send_message(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    conversation_id: int,
    text: str,
    in_reply_to_id: int | None = None,
    attachments: Sequence[AttachmentData] = (),
    client_mutation_id: str | None = None,
    translations: Sequence[tuple[str, str]] = (),
    parameters: Sequence[str] = (),
) -> Message:
    viewer = require_viewer(viewer)
    earlier = await earlier_send(uow, viewer, client_mutation_id)
    if earlier is not None:
        return earlier
    await access_conversation(uow.session, viewer, conversation_id)  # NotFound unless a participant
    checked = checked_attachments(settings, attachments)
    check_text(text, field="text", max_length=settings.max_message_length, allow_empty=bool(checked))
    localized, params = checked_localized(settings, translations, parameters)
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
        text=text,
        now=now,
        conversation_id=conversation_id,
        in_reply_to=parent,
        client_mutation_id=client_mutation_id,
    )
    assert message.id is not None
    if checked:
        await message_store.insert_attachments(uow.session, message_id=message.id, attachments=checked)
    await write_localized(uow, message, localized, params)
    await conversation_store.touch_activity(uow.session, conversation_id=conversation_id, now=now)
    await record(uow, [MessageEventDraft(EventKind.ADDED, message, viewer.user_id)], at=now)
    return message


async def do_react(
    uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, content: str, remove: bool
) -> Message:
    viewer = require_viewer(viewer)
    content = content.strip()
    if not content or len(content) > 64 or any(c.isspace() for c in content):
        raise InvalidInput(
            "A reaction is 1-64 characters without spaces, e.g. '👍' or ':tada:'.", field="content"
        )
    message = await resolve_ref(uow, viewer, ref)
    check_not_deleted(message)
    assert message.id is not None
    now = utcnow()
    if remove:
        changed = await reaction_store.remove_reaction(
            uow.session, message_id=message.id, user_id=viewer.user_id, content=content
        )
    else:
        changed = await reaction_store.add_reaction(
            uow.session, message_id=message.id, user_id=viewer.user_id, content=content, now=now
        )
    if changed:
        data = {"content": content, "removed": remove}
        await record(uow, [MessageEventDraft(EventKind.REACTED, message, viewer.user_id, data)], at=now)
    return message


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
