"""Emoji reactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
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


async def reactions_by_message_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[Reaction]]:
    out: dict[int, list[Reaction]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(Reaction)
        .where(Reaction.message_id.in_(set(ids)))
        .order_by(Reaction.created_at, Reaction.user_id)
    )
    for r in (await session.execute(stmt)).scalars():
        out.setdefault(r.message_id, []).append(r)
    return out
