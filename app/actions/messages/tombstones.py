"""Conversation tombstones: deleting a message that replies hang off empties it in place.

As in Slack and Matrix, the thread stays whole: the message keeps its id, author, createdAt,
conversation and reply links, and shows `deleted: true` with no text, translations,
parameters, attachments, reactions, likes, votes or edit history. Subscribers get an EDITED
event carrying the emptied message, so a client re-renders it as "message deleted" where it
is. When the last reply under a tombstone goes, the tombstone goes too (a DELETED event), and
so on up the thread. Topics keep Tat's cascade modes and never make tombstones.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.actions.event_log import EventKind, MessageEventDraft, record
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.domain.errors import InvalidInput
from app.filters.before_facts import snapshot
from app.models import Message, utcnow
from app.store import tombstones as tombstone_store


def keeps_tombstone(message: Message) -> bool:
    """Deleting it (without a cascade) leaves a tombstone: a conversation message with replies."""
    return message.conversation_id is not None and (message.reply_count > 0 or message.deleted_at is not None)


def check_not_deleted(message: Message) -> None:
    """A tombstone takes no edits, reactions, likes or votes (replies in its thread are fine)."""
    if message.deleted_at is not None:
        raise InvalidInput("The message was deleted.", field="ref")


async def do_tombstone(uow: UnitOfWork, viewer: Viewer, messages: Sequence[Message]) -> list[Message]:
    """Empty the messages in place (already-empty ones stay as they are) and record EDITED events."""
    fresh = [m for m in messages if m.deleted_at is None]
    now = utcnow()
    before = await snapshot(uow.session, ids=[m.id for m in fresh if m.id is not None])
    await tombstone_store.empty_messages(uow.session, messages=fresh, now=now)
    drafts = [MessageEventDraft(EventKind.EDITED, m, viewer.user_id, {"deleted": True}) for m in fresh]
    await record(uow, drafts, at=now, before=before)  # a `text` subscriber hears it stop matching
    return list(messages)


async def emptied_tombstones(uow: UnitOfWork, parent_ids: Sequence[int]) -> list[int]:
    """The tombstones among `parent_ids` whose last reply just went."""
    return await tombstone_store.childless_ids(uow.session, ids=parent_ids, tombstones_only=True)
