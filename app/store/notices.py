"""Notices (inbox messages): recipients as addressed, per-user deliveries, translations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Message, MessageDelivery, MessageRead, MessageRecipient, MessageTranslation


async def set_translations(session: AsyncSession, *, message_id: int, translations: dict[str, str]) -> None:
    await session.execute(delete(MessageTranslation).where(MessageTranslation.message_id == message_id))
    session.add_all(
        MessageTranslation(message_id=message_id, locale=k, text=v) for k, v in translations.items()
    )
    await session.flush()


async def translations_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {i: {} for i in ids}
    if ids:
        stmt = select(MessageTranslation).where(MessageTranslation.message_id.in_(set(ids)))
        for row in (await session.execute(stmt)).scalars():
            out.setdefault(row.message_id, {})[row.locale] = row.text
    return out


async def add_recipients(
    session: AsyncSession, *, message_id: int, principals: Sequence[tuple[str, int]], user_ids: Sequence[int]
) -> None:
    session.add_all(
        MessageRecipient(message_id=message_id, principal_kind=k, principal_id=i) for k, i in principals
    )
    session.add_all(MessageDelivery(message_id=message_id, user_id=u) for u in dict.fromkeys(user_ids))
    await session.flush()


async def recipients_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    if ids:
        stmt = (
            select(MessageRecipient)
            .where(MessageRecipient.message_id.in_(set(ids)))
            .order_by(MessageRecipient.principal_kind.desc(), MessageRecipient.principal_id)
        )
        for row in (await session.execute(stmt)).scalars():
            out.setdefault(row.message_id, []).append((row.principal_kind, row.principal_id))
    return out


async def delivered_user_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        stmt = select(MessageDelivery.message_id, MessageDelivery.user_id).where(
            MessageDelivery.message_id.in_(set(ids))
        )
        for mid, uid in (await session.execute(stmt)).all():
            out.setdefault(mid, set()).add(uid)
    return out


async def remove_delivery(session: AsyncSession, *, message_id: int, user_id: int) -> bool:
    result = await session.execute(
        delete(MessageDelivery).where(
            MessageDelivery.message_id == message_id, MessageDelivery.user_id == user_id
        )
    )
    return bool(result.rowcount)


def delivered_to(user_id: int) -> object:
    """SQL condition on Message: it is in this user's inbox."""
    return Message.id.in_(select(MessageDelivery.message_id).where(MessageDelivery.user_id == user_id))


def sent_by(user_id: int) -> list[object]:
    """SQL conditions on Message: a notice this user sent (the author-and-date index serves it)."""
    return [Message.author_id == user_id, Message.topic_id.is_(None), Message.conversation_id.is_(None)]


async def count_unread_inbox(session: AsyncSession, *, user_id: int) -> int:
    """Notices in the user's inbox by someone else and not marked read: `inbox(unreadOnly: true)`."""
    read = exists().where(
        MessageRead.user_id == user_id, MessageRead.message_id == MessageDelivery.message_id
    )
    stmt = (
        select(func.count())
        .select_from(MessageDelivery)
        .join(Message, Message.id == MessageDelivery.message_id)
        .where(MessageDelivery.user_id == user_id, Message.author_id != user_id, ~read)
    )
    return int((await session.execute(stmt)).scalar_one())
