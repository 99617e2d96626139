"""Messages, their revisions and attachments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import Attachment, Message, MessageLabel, MessageRevision, MessageTag
from app.store.keyset import SortKey, paginate
from app.store.rows import records, select_records


async def insert_message(
    session: AsyncSession,
    *,
    author_id: int,
    text: str,
    now: datetime,
    conversation_id: int | None = None,
    topic_id: int | None = None,
    in_reply_to: Message | None = None,
    copied_from_id: int | None = None,
    urls: Sequence[str] = (),
    parameters: Sequence[str] = (),
    translated: bool = False,
    client_mutation_id: str | None = None,
) -> Message:
    """A new message row, returned as a read-only record (app/store/rows.py): one INSERT ...
    RETURNING built once, no ORM object and no flush (those were a third of a topic send's
    SQLAlchemy time). Every column is given (the model's defaults for the others), so the record
    holds what the row holds."""
    values: dict[str, Any] = {
        **_NEW_MESSAGE,
        "conversation_id": conversation_id,
        "topic_id": topic_id,
        "author_id": author_id,
        "text": text,
        "created_at": now,
        "client_mutation_id": client_mutation_id,
        "copied_from_id": copied_from_id,
        "urls": list(urls),
        "parameters": list(parameters),
        "translated": translated,
    }
    if in_reply_to is not None:
        assert in_reply_to.id is not None
        values["in_reply_to_id"] = in_reply_to.id
        values["root_id"] = in_reply_to.root_id or in_reply_to.id
        # an ORM-enabled UPDATE: a parent object in this session sees the new count too
        await session.execute(
            update(Message).where(Message.id == in_reply_to.id).values(reply_count=Message.reply_count + 1)
        )
    row = (await session.execute(_INSERT_MESSAGE, values)).one()
    return records(Message, [row])[0]


_INSERT_MESSAGE = insert(Message.__table__).returning(*Message.__table__.columns)  # type: ignore[attr-defined]
# the model's default of every column a new message does not set (its JSON lists are given above)
_NEW_MESSAGE: dict[str, Any] = {
    name: field.get_default(call_default_factory=True)
    for name, field in Message.model_fields.items()
    if name != "id" and not field.is_required()
}


async def get_message(session: AsyncSession, *, message_id: int) -> Message | None:
    return await session.get(Message, message_id)


async def messages_by_ids(
    session: AsyncSession, *, ids: Sequence[int], where: ColumnElement[bool] | None = None
) -> dict[int, Message]:
    """The messages with these ids (those that also meet `where`, when given)."""
    if not ids:
        return {}
    stmt = select(Message).where(Message.id.in_(set(ids)))
    if where is not None:
        stmt = stmt.where(where)
    return {m.id: m for m in (await session.execute(stmt)).scalars() if m.id is not None}


async def message_records_by_ids(
    session: AsyncSession, *, ids: Sequence[int], where: ColumnElement[bool] | None = None
) -> dict[int, Message]:
    """messages_by_ids for reading only: read-only records (app/store/rows.py)."""
    if not ids:
        return {}
    rows = (await session.execute(_records_by_ids(where), {"ids": list(set(ids))})).all()
    return {m.id: m for m in records(Message, rows) if m.id is not None}


@lru_cache(maxsize=4096)  # `where` is built once per kind of viewer (read_rules), so is this
def _records_by_ids(where: ColumnElement[bool] | None) -> Any:
    ids = Message.__table__.c.id  # type: ignore[attr-defined]
    stmt = select_records(Message).where(ids.in_(bindparam("ids", expanding=True)))
    return stmt if where is None else stmt.where(where)


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
    """Newest first; `first/after` walks back in time, `last/before` towards now. Read-only
    records (app/store/rows.py)."""
    table = Message.__table__  # type: ignore[attr-defined]
    return await paginate(
        session,
        select_records(Message).where(table.c.conversation_id == conversation_id),
        keys=[SortKey(table.c.id, True)],
        key_of=lambda m: (m.id,),
        page=page,
        records_of=Message,
    )


async def count_conversation_messages(session: AsyncSession, *, conversation_id: int) -> int:
    stmt = select(func.count()).select_from(Message).where(Message.conversation_id == conversation_id)
    return int((await session.execute(stmt)).scalar_one())


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
    """Delete and keep the parents' reply counters right (parents that survive)."""
    if not ids:
        return
    doomed = set(ids)
    parents = (
        await session.execute(
            select(Message.in_reply_to_id, func.count())
            .where(Message.id.in_(doomed), Message.in_reply_to_id.is_not(None))
            .group_by(Message.in_reply_to_id)
        )
    ).all()
    for parent_id, count in parents:
        if parent_id not in doomed:
            await session.execute(
                update(Message).where(Message.id == parent_id).values(reply_count=Message.reply_count - count)
            )
    await session.execute(delete(Message).where(Message.id.in_(doomed)))


async def thread_ids(session: AsyncSession, *, root_ids: Sequence[int]) -> list[int]:
    """The roots and every message under them."""
    if not root_ids:
        return []
    stmt = select(Message.id).where(or_(Message.id.in_(set(root_ids)), Message.root_id.in_(set(root_ids))))
    return list((await session.execute(stmt)).scalars())


async def descendant_ids(session: AsyncSession, *, messages: Sequence[Message]) -> list[int]:
    """Messages replying to any of `messages`, directly or deeper (one query for all threads)."""
    roots = {m.root_id or m.id for m in messages if m.id is not None}
    if not roots:
        return []
    stmt = select(Message.id, Message.in_reply_to_id).where(Message.root_id.in_(roots))
    children: dict[int | None, list[int]] = {}
    for mid, parent in (await session.execute(stmt)).all():
        children.setdefault(parent, []).append(mid)
    out: list[int] = []
    stack = [m.id for m in messages if m.id is not None]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


async def thread_size(session: AsyncSession, *, root_id: int) -> int:
    stmt = select(func.count()).select_from(Message).where(Message.root_id == root_id)
    return int((await session.execute(stmt)).scalar_one())


async def task_copy_ids(session: AsyncSession, *, original_ids: Sequence[int]) -> list[int]:
    if not original_ids:
        return []
    stmt = select(Message.id).where(Message.copied_from_id.in_(set(original_ids)))
    return list((await session.execute(stmt)).scalars())


async def get_task_copy(session: AsyncSession, *, original_id: int, tasks_topic_id: int) -> Message | None:
    stmt = select(Message).where(Message.copied_from_id == original_id, Message.topic_id == tasks_topic_id)
    return (await session.execute(stmt)).scalars().first()


async def move_messages(session: AsyncSession, *, ids: Sequence[int], topic_id: int, now: datetime) -> None:
    """Move the messages, and the topic copies on their tag and label rows with them."""
    if ids:
        await session.execute(
            update(Message).where(Message.id.in_(set(ids))).values(topic_id=topic_id, updated_at=now)
        )
        for placed in (MessageTag, MessageLabel):
            await session.execute(
                update(placed).where(placed.message_id.in_(set(ids))).values(topic_id=topic_id)
            )


async def set_parsed(session: AsyncSession, *, message_id: int, urls: Sequence[str]) -> None:
    await session.execute(update(Message).where(Message.id == message_id).values(urls=list(urls)))


async def task_flags(session: AsyncSession, *, tasks_topic_id: int, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are in the task list whose topic is `tasks_topic_id` (copies or originals)."""
    if not ids:
        return set()
    stmt = select(Message.id, Message.copied_from_id).where(
        Message.topic_id == tasks_topic_id,
        or_(Message.id.in_(set(ids)), Message.copied_from_id.in_(set(ids))),
    )
    out: set[int] = set()
    for mid, original in (await session.execute(stmt)).all():
        out.add(mid)
        if original is not None:
            out.add(original)
    return out & set(ids)


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


async def trees_by_root_ids(
    session: AsyncSession, *, ids: Sequence[int], full: bool
) -> dict[int, list[Message]]:
    """Direct replies of each root (or, with `full`, its whole thread), oldest first."""
    out: dict[int, list[Message]] = {i: [] for i in ids}
    if not ids:
        return out
    key = Message.root_id if full else Message.in_reply_to_id
    stmt = select(Message).where(key.in_(set(ids))).order_by(Message.created_at, Message.id)
    for message in (await session.execute(stmt)).scalars():
        out[message.root_id if full else message.in_reply_to_id].append(message)  # type: ignore[index]
    return out
