"""Messages, their revisions and attachments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Attachment, Message, MessageRevision
from app.pagination import Page, PageRequest
from app.store.keyset import SortKey, paginate


async def insert_message(
    session: AsyncSession,
    *,
    author_id: int,
    text: str,
    now: datetime,
    conversation_id: int | None = None,
    client_mutation_id: str | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation_id,
        author_id=author_id,
        text=text,
        created_at=now,
        client_mutation_id=client_mutation_id,
    )
    session.add(message)
    await session.flush()
    return message


async def get_message(session: AsyncSession, *, message_id: int) -> Message | None:
    return await session.get(Message, message_id)


async def messages_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Message]:
    if not ids:
        return {}
    stmt = select(Message).where(Message.id.in_(set(ids)))
    return {m.id: m for m in (await session.execute(stmt)).scalars() if m.id is not None}


async def get_message_by_client_id(
    session: AsyncSession, *, author_id: int, client_mutation_id: str
) -> Message | None:
    stmt = select(Message).where(
        Message.author_id == author_id, Message.client_mutation_id == client_mutation_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_conversation_messages(
    session: AsyncSession, *, conversation_id: int, page: PageRequest
) -> Page[Message]:
    """Newest first; `first/after` walks back in time, `last/before` towards now."""
    stmt = select(Message).where(Message.conversation_id == conversation_id)
    return await paginate(
        session,
        stmt,
        keys=[SortKey(Message.id, True)],
        key_of=lambda m: (m.id,),
        page=page,
        with_total=True,
    )


async def last_message_ids_by_conversation_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, int]:
    if not ids:
        return {}
    stmt = (
        select(Message.conversation_id, func.max(Message.id))
        .where(Message.conversation_id.in_(set(ids)))
        .group_by(Message.conversation_id)
    )
    return {cid: mid for cid, mid in (await session.execute(stmt)).all()}


async def update_message_text(
    session: AsyncSession, *, message: Message, text: str, editor_id: int, now: datetime
) -> None:
    assert message.id is not None
    session.add(MessageRevision(message_id=message.id, text=message.text, editor_id=editor_id, edited_at=now))
    await session.execute(update(Message).where(Message.id == message.id).values(text=text, updated_at=now))
    message.text = text
    message.updated_at = now
    await session.flush()


async def touch_message(session: AsyncSession, *, message_id: int, now: datetime) -> None:
    await session.execute(update(Message).where(Message.id == message_id).values(updated_at=now))


async def delete_messages(session: AsyncSession, *, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(delete(Message).where(Message.id.in_(set(ids))))


async def revisions_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[MessageRevision]]:
    out: dict[int, list[MessageRevision]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(MessageRevision).where(MessageRevision.message_id.in_(set(ids))).order_by(MessageRevision.id)
    )
    for rev in (await session.execute(stmt)).scalars():
        out.setdefault(rev.message_id, []).append(rev)
    return out


async def insert_attachments(
    session: AsyncSession, *, message_id: int, attachments: Sequence[dict[str, object]]
) -> None:
    session.add_all(Attachment(message_id=message_id, **a) for a in attachments)
    await session.flush()


async def replace_attachments(
    session: AsyncSession, *, message_id: int, attachments: Sequence[dict[str, object]]
) -> None:
    await session.execute(delete(Attachment).where(Attachment.message_id == message_id))
    await insert_attachments(session, message_id=message_id, attachments=attachments)


async def attachments_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    out: dict[int, list[Attachment]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = select(Attachment).where(Attachment.message_id.in_(set(ids))).order_by(Attachment.id)
    for att in (await session.execute(stmt)).scalars():
        out.setdefault(att.message_id, []).append(att)
    return out
