"""Per-user read state: a per-conversation watermark plus per-message read rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ConversationParticipant, Message, MessageRead


def _unread_in_conversation(user_id: int, conversation_id: int, watermark: int, up_to: int):
    read = select(MessageRead.message_id).where(
        MessageRead.user_id == user_id, MessageRead.message_id == Message.id
    )
    return select(Message.id).where(
        Message.conversation_id == conversation_id,
        Message.id > watermark,
        Message.id <= up_to,
        Message.author_id != user_id,
        ~read.exists(),
    )


async def mark_conversation_read(
    session: AsyncSession, *, user_id: int, conversation_id: int, up_to: int, now: datetime
) -> int:
    """Mark every message up to `up_to` read; returns how many became read."""
    participant = await session.get(ConversationParticipant, (conversation_id, user_id))
    if participant is None or up_to <= participant.read_up_to_id:
        return 0
    unread = _unread_in_conversation(user_id, conversation_id, participant.read_up_to_id, up_to)
    rows = (await session.execute(unread)).scalars().all()
    if rows:
        await session.execute(
            insert(MessageRead),
            [{"user_id": user_id, "message_id": mid, "read_at": now} for mid in rows],
        )
    await session.execute(
        update(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user_id,
        )
        .values(read_up_to_id=up_to)
    )
    return len(rows)


async def read_at_by_message_ids(
    session: AsyncSession, *, user_id: int, ids: Sequence[int]
) -> dict[int, datetime]:
    if not ids:
        return {}
    stmt = select(MessageRead.message_id, MessageRead.read_at).where(
        MessageRead.user_id == user_id,
        MessageRead.message_id.in_(set(ids)),
    )
    return {mid: at for mid, at in (await session.execute(stmt)).all()}


async def unread_counts_by_conversation_ids(
    session: AsyncSession, *, user_id: int, ids: Sequence[int]
) -> dict[int, int]:
    """Messages by others, after the viewer's watermark, without a read row (tombstones left out)."""
    out = dict.fromkeys(ids, 0)
    if not ids:
        return out
    read = select(MessageRead.message_id).where(
        MessageRead.user_id == user_id, MessageRead.message_id == Message.id
    )
    stmt = (
        select(Message.conversation_id, func.count())
        .join(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Message.conversation_id,
                ConversationParticipant.user_id == user_id,
            ),
        )
        .where(
            Message.conversation_id.in_(set(ids)),
            Message.id > ConversationParticipant.read_up_to_id,
            Message.author_id != user_id,
            Message.deleted_at.is_(None),
            ~read.exists(),
        )
        .group_by(Message.conversation_id)
    )
    for cid, count in (await session.execute(stmt)).all():
        out[cid] = int(count)
    return out


async def mark_messages_read(
    session: AsyncSession, *, user_id: int, ids: Sequence[int], now: datetime
) -> list[int]:
    """Mark these messages read (skipping the user's own and those already read); returns the new ones."""
    if not ids:
        return []
    already = select(MessageRead.message_id).where(
        MessageRead.user_id == user_id, MessageRead.message_id == Message.id
    )
    stmt = select(Message.id).where(Message.id.in_(set(ids)), Message.author_id != user_id, ~already.exists())
    fresh = list((await session.execute(stmt)).scalars())
    if fresh:
        await session.execute(
            insert(MessageRead), [{"user_id": user_id, "message_id": mid, "read_at": now} for mid in fresh]
        )
    return fresh
