"""Conversations and their participants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import Conversation, ConversationParticipant
from app.store.keyset import SortKey, paginate
from app.store.rows import records, select_records

_CONVERSATIONS = Conversation.__table__  # type: ignore[attr-defined]
_PARTICIPANTS = ConversationParticipant.__table__  # type: ignore[attr-defined]


async def insert_conversation(
    session: AsyncSession,
    *,
    title: str | None,
    direct_key: str | None,
    created_by: int,
    participant_ids: Sequence[int],
    now: datetime,
) -> Conversation:
    conversation = Conversation(
        title=title,
        direct_key=direct_key,
        created_by=created_by,
        created_at=now,
        last_activity_at=now,
    )
    session.add(conversation)
    await session.flush()
    assert conversation.id is not None
    session.add_all(
        ConversationParticipant(conversation_id=conversation.id, user_id=uid, joined_at=now)
        for uid in sorted(set(participant_ids))
    )
    await session.flush()
    return conversation


async def get_direct_conversation(session: AsyncSession, *, direct_key: str) -> Conversation | None:
    stmt = select(Conversation).where(Conversation.direct_key == direct_key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_conversation_for(
    session: AsyncSession, *, conversation_id: int, user_id: int
) -> Conversation | None:
    """The conversation if `user_id` participates in it, else None (missing looks the same), as
    a read-only record (app/store/rows.py)."""
    params = {"conversation_id": conversation_id, "user_id": user_id}
    row = (await session.execute(_CONVERSATION_FOR, params)).first()
    return None if row is None else records(Conversation, [row])[0]


_CONVERSATION_FOR = (
    select_records(Conversation)
    .join(_PARTICIPANTS, _PARTICIPANTS.c.conversation_id == _CONVERSATIONS.c.id)
    .where(
        _CONVERSATIONS.c.id == bindparam("conversation_id"),
        _PARTICIPANTS.c.user_id == bindparam("user_id"),
    )
)


async def conversations_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Conversation]:
    if not ids:
        return {}
    stmt = select(Conversation).where(Conversation.id.in_(set(ids)))
    return {c.id: c for c in (await session.execute(stmt)).scalars() if c.id is not None}


async def participant_ids_by_conversation_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(ConversationParticipant.conversation_id, ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id.in_(set(ids)))
        .order_by(ConversationParticipant.conversation_id, ConversationParticipant.user_id)
    )
    for conversation_id, user_id in (await session.execute(stmt)).all():
        out.setdefault(conversation_id, []).append(user_id)
    return out


async def list_conversations_for(
    session: AsyncSession, *, user_id: int, page: PageRequest
) -> Page[Conversation]:
    stmt = (
        select(Conversation)
        .join(ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id)
        .where(ConversationParticipant.user_id == user_id)
    )
    return await paginate(
        session,
        stmt,
        keys=[SortKey(Conversation.last_activity_at, True), SortKey(Conversation.id, True)],
        key_of=lambda c: (c.last_activity_at, c.id),
        page=page,
        with_total=True,
    )


async def touch_activity(session: AsyncSession, *, conversation_id: int, now: datetime) -> None:
    await session.execute(_TOUCH, {"conversation": conversation_id, "now": now})


_TOUCH = (  # built once; a Core UPDATE (conversations are read as records, not kept as objects)
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("conversation"))
    .values(last_activity_at=bindparam("now"))
)


async def get_participant(
    session: AsyncSession, *, conversation_id: int, user_id: int
) -> ConversationParticipant | None:
    return await session.get(ConversationParticipant, (conversation_id, user_id))
