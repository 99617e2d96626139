"""Emoji reactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Reaction


async def add_reaction(
    session: AsyncSession, *, message_id: int, user_id: int, content: str, now: datetime
) -> bool:
    """True when the reaction is new."""
    if await session.get(Reaction, (message_id, user_id, content)) is not None:
        return False
    session.add(Reaction(message_id=message_id, user_id=user_id, content=content, created_at=now))
    await session.flush()
    return True


async def remove_reaction(session: AsyncSession, *, message_id: int, user_id: int, content: str) -> bool:
    result = await session.execute(
        delete(Reaction).where(
            Reaction.message_id == message_id,
            Reaction.user_id == user_id,
            Reaction.content == content,
        )
    )
    return bool(result.rowcount)


class ReactionRow(NamedTuple):
    """A reaction as read for display: plain rows, not ORM objects (a page of 50 messages can
    carry hundreds, and building ORM instances for them cost more than the query)."""

    message_id: int
    user_id: int
    content: str
    created_at: datetime


_REACTIONS = (  # built once: no statement to build and no cache key to compute per call
    select(Reaction.message_id, Reaction.user_id, Reaction.content, Reaction.created_at)
    .where(Reaction.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(Reaction.created_at, Reaction.user_id)
)


async def reactions_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[ReactionRow]]:
    out: dict[int, list[ReactionRow]] = {i: [] for i in ids}
    if not ids:
        return out
    for r in (await session.execute(_REACTIONS, {"ids": list(set(ids))})).all():
        out.setdefault(r[0], []).append(ReactionRow(*r))
    return out
