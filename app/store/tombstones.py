"""Tombstones: a conversation message emptied in place, and the ones left without replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Attachment,
    Message,
    MessageLabel,
    MessageLike,
    MessageMention,
    MessageRevision,
    MessageTag,
    MessageTranslation,
    MessageVote,
    Reaction,
)

# everything that hangs off a message and says something of what it said (read receipts stay)
_CONTENT = (
    Attachment,
    MessageTranslation,
    MessageRevision,
    Reaction,
    MessageLike,
    MessageVote,
    MessageTag,
    MessageLabel,
    MessageMention,
)


async def empty_messages(session: AsyncSession, *, messages: Sequence[Message], now: datetime) -> None:
    """Keep the rows (id, author, dates, place, reply links and counts) and drop their content.

    The text becomes "", which also takes the message out of the full-text index (the SQLite
    triggers and the PostgreSQL generated column follow the text)."""
    ids = [m.id for m in messages if m.id is not None]
    if not ids:
        return
    for table in _CONTENT:
        await session.execute(delete(table).where(table.message_id.in_(ids)))  # type: ignore[attr-defined]
    for message in messages:
        message.text = ""
        message.parameters = []
        message.urls = []
        message.like_count = 0
        message.votes_up = 0
        message.votes_down = 0
        message.updated_at = now
        message.deleted_at = now
    await session.flush()


async def childless_ids(session: AsyncSession, *, ids: Sequence[int], tombstones_only: bool) -> list[int]:
    """Which of `ids` have no replies (left), as committed in this transaction so far."""
    if not ids:
        return []
    stmt = select(Message.id).where(Message.id.in_(set(ids)), Message.reply_count == 0)
    if tombstones_only:
        stmt = stmt.where(Message.deleted_at.is_not(None))
    return sorted((await session.execute(stmt)).scalars())
