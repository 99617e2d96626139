"""What hangs off a topic message: tags, labels, mentions, likes, votes (with counters)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Message, MessageLabel, MessageLike, MessageMention, MessageTag, MessageVote, Topic
from app.store.rows import records, select_records


async def locked_topic_id(session: AsyncSession, *, message_id: int) -> int | None:
    """The message's topic as committed now, its row locked until commit (PostgreSQL; SQLite
    writes one at a time anyway). A move of the same message waits, or is waited for, so the
    topic copies on its tag and label rows always match the message."""
    stmt = select(Message.topic_id).where(Message.id == message_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


# Tags and mentions are written with Core statements, never as ORM objects (no flush, no pydantic
# model per row: a topic send spent an eighth of its CPU in these two flushes) and read as columns.
_TAGS = MessageTag.__table__  # type: ignore[attr-defined]
_MENTIONS = MessageMention.__table__  # type: ignore[attr-defined]
_DELETE_TAGS = delete(_TAGS).where(_TAGS.c.message_id == bindparam("message"))
_DELETE_MENTIONS = delete(_MENTIONS).where(_MENTIONS.c.message_id == bindparam("message"))


async def set_tags(session: AsyncSession, *, message_id: int, tags: Sequence[str]) -> None:
    topic_id = await locked_topic_id(session, message_id=message_id)
    await session.execute(_DELETE_TAGS, {"message": message_id})
    await add_tags(session, message_id=message_id, tags=tags, topic_id=topic_id)


async def add_tags(
    session: AsyncSession, *, message_id: int, tags: Sequence[str], topic_id: int | None
) -> None:
    """The tags of a message that has none (a new one), `topic_id` its topic."""
    rows = [
        {"message_id": message_id, "tag": t, "position": i, "topic_id": topic_id}
        for i, t in enumerate(dict.fromkeys(tags))
    ]
    if rows:
        await session.execute(insert(_TAGS), rows)


async def set_mentions(session: AsyncSession, *, message_id: int, user_ids: Sequence[int]) -> None:
    await session.execute(_DELETE_MENTIONS, {"message": message_id})
    await add_mentions(session, message_id=message_id, user_ids=user_ids)


async def add_mentions(session: AsyncSession, *, message_id: int, user_ids: Sequence[int]) -> None:
    rows = [{"message_id": message_id, "user_id": u} for u in dict.fromkeys(user_ids)]
    if rows:
        await session.execute(insert(_MENTIONS), rows)


# The reads of the loaders and the filter snapshots: statements built once (app/store/rows.py)
_TAGS_BY_IDS = (
    select(_TAGS.c.message_id, _TAGS.c.tag)
    .where(_TAGS.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(_TAGS.c.message_id, _TAGS.c.position)
)
_LABELS = MessageLabel.__table__  # type: ignore[attr-defined]
_LABELS_BY_IDS = (
    select_records(MessageLabel)
    .where(_LABELS.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(_LABELS.c.message_id, _LABELS.c.position, _LABELS.c.text)
)


async def tags_by_message_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for mid, tag in (await session.execute(_TAGS_BY_IDS, {"ids": list(set(ids))})).all():
            out.setdefault(mid, []).append(tag)
    return out


async def mention_ids_by_message_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        stmt = select(MessageMention.message_id, MessageMention.user_id).where(
            MessageMention.message_id.in_(set(ids))
        )
        for mid, uid in (await session.execute(stmt)).all():
            out.setdefault(mid, []).append(uid)
    return out


async def labels_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, list[MessageLabel]]:
    """As read-only records (app/store/rows.py)."""
    out: dict[int, list[MessageLabel]] = {i: [] for i in ids}
    if ids:
        rows = (await session.execute(_LABELS_BY_IDS, {"ids": list(set(ids))})).all()
        for label in records(MessageLabel, rows):
            out.setdefault(label.message_id, []).append(label)
    return out


async def remove_labels(session: AsyncSession, *, message_id: int, texts: Sequence[str] | None) -> None:
    """Remove the labels named (all when `texts` is None)."""
    stmt = delete(MessageLabel).where(MessageLabel.message_id == message_id)
    if texts is not None:
        if not texts:
            return
        stmt = stmt.where(MessageLabel.text.in_(set(texts)))
    await session.execute(stmt)


async def add_labels(session: AsyncSession, *, message_id: int, labels: Sequence[tuple[str, str]]) -> None:
    """Add (text, color) labels; an existing text takes the new colour."""
    topic_id = await locked_topic_id(session, message_id=message_id)
    existing = {
        row.text: row
        for row in (
            await session.execute(select(MessageLabel).where(MessageLabel.message_id == message_id))
        ).scalars()
    }
    position = max((r.position for r in existing.values()), default=-1)
    for text, color in labels:
        if text in existing:
            existing[text].color = color
        else:
            position += 1
            label = MessageLabel(
                message_id=message_id, text=text, color=color, position=position, topic_id=topic_id
            )
            session.add(label)
            existing[text] = label
    await session.flush()


async def set_like(
    session: AsyncSession, *, message_id: int, user_id: int, liked: bool, now: datetime
) -> bool:
    """True when the state changed; keeps Message.like_count in step."""
    current = await session.get(MessageLike, (message_id, user_id))
    if liked == (current is not None):
        return False
    if liked:
        session.add(MessageLike(message_id=message_id, user_id=user_id, created_at=now))
    else:
        await session.delete(current)
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(like_count=Message.like_count + (1 if liked else -1))
    )
    await session.flush()
    return True


async def set_vote(session: AsyncSession, *, message_id: int, user_id: int, direction: int | None) -> bool:
    """direction +1, -1, or None to withdraw; one vote per user; keeps the counters in step."""
    current = await session.get(MessageVote, (message_id, user_id))
    before = current.direction if current else None
    if before == direction:
        return False
    up = (direction == 1) - (before == 1)
    down = (direction == -1) - (before == -1)
    if current is not None:
        await session.delete(current)
        await session.flush()
    if direction is not None:
        session.add(MessageVote(message_id=message_id, user_id=user_id, direction=direction))
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(votes_up=Message.votes_up + up, votes_down=Message.votes_down + down)
    )
    await session.flush()
    return True


async def liker_ids_by_message_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        stmt = (
            select(MessageLike.message_id, MessageLike.user_id)
            .where(MessageLike.message_id.in_(set(ids)))
            .order_by(MessageLike.created_at, MessageLike.user_id)
        )
        for mid, uid in (await session.execute(stmt)).all():
            out.setdefault(mid, []).append(uid)
    return out


async def votes_of_user(session: AsyncSession, *, user_id: int, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = select(MessageVote.message_id, MessageVote.direction).where(
        MessageVote.user_id == user_id, MessageVote.message_id.in_(set(ids))
    )
    return {mid: d for mid, d in (await session.execute(stmt)).all()}


async def filter_rows_by_message_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Each message's columns with its topic's path, read from the database (not the session's
    objects, which an UPDATE statement may have left behind)."""
    if not ids:
        return {}
    await session.flush()
    stmt = (
        select(*Message.__table__.columns, Topic.path.label("topic_path"))  # type: ignore[attr-defined]
        .outerjoin(Topic, Topic.id == Message.topic_id)
        .where(Message.id.in_(set(ids)))
    )
    return {row.id: dict(row._mapping) for row in (await session.execute(stmt)).all()}
