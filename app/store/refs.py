"""Find messages by Tat references: tag, tag prefix, label, label prefix within a topic."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Message, MessageLabel, MessageTag


async def find_by_reference(
    session: AsyncSession,
    *,
    topic_id: int,
    tag: str | None = None,
    tag_prefix: str | None = None,
    label: str | None = None,
    label_prefix: str | None = None,
    only_root: bool = True,
    limit: int = 20,
) -> list[int]:
    stmt = select(Message.id).where(Message.topic_id == topic_id)
    if only_root:
        stmt = stmt.where(Message.root_id.is_(None))
    if tag is not None or tag_prefix is not None:
        tags = select(MessageTag.message_id).where(MessageTag.message_id == Message.id)
        tags = (
            tags.where(MessageTag.tag == tag)
            if tag is not None
            else tags.where(MessageTag.tag.startswith(tag_prefix, autoescape=True))
        )
        stmt = stmt.where(tags.exists())
    if label is not None or label_prefix is not None:
        labels = select(MessageLabel.message_id).where(MessageLabel.message_id == Message.id)
        labels = (
            labels.where(MessageLabel.text == label)
            if label is not None
            else labels.where(MessageLabel.text.startswith(label_prefix, autoescape=True))
        )
        stmt = stmt.where(labels.exists())
    stmt = stmt.order_by(Message.id).limit(limit)
    return list((await session.execute(stmt)).scalars())
