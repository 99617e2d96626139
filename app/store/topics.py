"""Topics and their access grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import Topic, TopicAccess
from app.store.keyset import SortKey, paginate
from app.store.rows import record_type, records, select_records

USER, GROUP = "user", "group"


async def insert_topic(
    session: AsyncSession,
    *,
    path: str,
    parent_id: int | None,
    description: str | None,
    read_only: bool,
    max_length: int,
    max_replies: int,
    now: datetime,
) -> Topic:
    topic = Topic(
        path=path,
        parent_id=parent_id,
        description=description,
        read_only=read_only,
        max_length=max_length,
        max_replies=max_replies,
        created_at=now,
    )
    session.add(topic)
    await session.flush()
    return topic


async def get_topic_by_path(session: AsyncSession, *, path: str) -> Topic | None:
    return (await session.execute(select(Topic).where(Topic.path == path))).scalar_one_or_none()


async def topic_record_with_grants(
    session: AsyncSession, *, path: str
) -> tuple[Topic, list[TopicAccess]] | None:
    """A topic and its grants in one statement (a LEFT JOIN: one row per grant), as read-only
    records: what a send checks its access with."""
    rows = (await session.execute(_TOPIC_WITH_GRANTS_BY_PATH, {"path": path})).all()
    return next(iter(_with_grants(rows).values()), None)


async def topics_with_grants_by_ids(
    session: AsyncSession, *, ids: Sequence[int]
) -> dict[int, tuple[Topic, list[TopicAccess]]]:
    """Each topic with its grants in one statement, as read-only records: what the live hub
    checks a batch's readers with (topic_records_by_ids and grants_by_topic_ids in one)."""
    if not ids:
        return {}
    return _with_grants((await session.execute(_TOPICS_WITH_GRANTS_BY_IDS, {"ids": list(set(ids))})).all())


def _with_grants(rows: Sequence[Any]) -> dict[int, tuple[Topic, list[TopicAccess]]]:
    """Rows of a topic LEFT JOIN its grants (one per grant, or one with NULLs) as records."""
    topic, grant = record_type(Topic)._make, record_type(TopicAccess)._make
    width = len(_TOPIC_COLUMNS)
    out: dict[int, tuple[Topic, list[TopicAccess]]] = {}
    for row in rows:
        entry = out.get(row[0])
        if entry is None:
            entry = out[row[0]] = (topic(row[:width]), [])
        if row[width] is not None:
            entry[1].append(grant(row[width:]))
    return out


async def topics_by_paths(session: AsyncSession, *, paths: Sequence[str]) -> dict[str, Topic]:
    if not paths:
        return {}
    rows = (await session.execute(select(Topic).where(Topic.path.in_(set(paths))))).scalars()
    return {t.path: t for t in rows}


async def topics_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Topic]:
    if not ids:
        return {}
    rows = (await session.execute(select(Topic).where(Topic.id.in_(set(ids))))).scalars()
    return {t.id: t for t in rows if t.id is not None}


async def topic_records_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Topic]:
    """topics_by_ids for reading only: read-only records."""
    if not ids:
        return {}
    rows = (await session.execute(_TOPIC_RECORDS_BY_IDS, {"ids": list(set(ids))})).all()
    return {t.id: t for t in records(Topic, rows) if t.id is not None}


# built once (app/store/rows.py): the loaders and the read rules read them often
_TOPIC_RECORDS_BY_IDS = select_records(Topic).where(
    Topic.__table__.c.id.in_(bindparam("ids", expanding=True))  # type: ignore[attr-defined]
)
_TOPIC_COLUMNS = list(Topic.__table__.columns)  # type: ignore[attr-defined]
_ACCESS = TopicAccess.__table__  # type: ignore[attr-defined]
_WITH_GRANTS = select(*_TOPIC_COLUMNS, *_ACCESS.columns).outerjoin(
    _ACCESS,
    _ACCESS.c.topic_id == Topic.__table__.c.id,  # type: ignore[attr-defined]
)
_TOPIC_WITH_GRANTS_BY_PATH = _WITH_GRANTS.where(Topic.__table__.c.path == bindparam("path"))  # type: ignore[attr-defined]
_TOPICS_WITH_GRANTS_BY_IDS = _WITH_GRANTS.where(
    Topic.__table__.c.id.in_(bindparam("ids", expanding=True))  # type: ignore[attr-defined]
)
_GRANTS_BY_TOPIC_IDS = select_records(TopicAccess).where(
    TopicAccess.__table__.c.topic_id.in_(bindparam("ids", expanding=True))  # type: ignore[attr-defined]
)


async def descendant_ids(session: AsyncSession, *, path: str) -> list[int]:
    stmt = select(Topic.id).where(or_(Topic.path == path, Topic.path.startswith(path + "/", autoescape=True)))
    return list((await session.execute(stmt)).scalars())


async def count_topics(session: AsyncSession, *, readable: Any, among: Any) -> tuple[int, int]:
    """(topics matching `among`, those of them also matching `readable`)."""
    stmt = select(func.count(), func.count().filter(readable)).select_from(Topic).where(among)
    row = (await session.execute(stmt)).one()
    return int(row[0]), int(row[1])


async def topic_ids(session: AsyncSession, *, where: Any) -> list[int]:
    return list((await session.execute(select(Topic.id).where(where).order_by(Topic.id))).scalars())


async def list_readable_topics(
    session: AsyncSession, *, readable: Any, under: str | None, page: PageRequest
) -> Page[Topic]:
    stmt = select(Topic).where(readable)
    if under is not None:
        stmt = stmt.where(Topic.path.startswith(under + "/", autoescape=True))
    return await paginate(
        session,
        stmt,
        keys=[SortKey(Topic.path, False)],
        key_of=lambda t: (t.path,),
        page=page,
        with_total=True,
    )


async def list_children(
    session: AsyncSession, *, parent_id: int, readable: Any, page: PageRequest
) -> Page[Topic]:
    stmt = select(Topic).where(Topic.parent_id == parent_id, readable)
    return await paginate(
        session,
        stmt,
        keys=[SortKey(Topic.path, False)],
        key_of=lambda t: (t.path,),
        page=page,
        with_total=True,
    )


async def grants_by_topic_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[TopicAccess]]:
    """As read-only records (app/store/rows.py): every caller only reads them."""
    out: dict[int, list[TopicAccess]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = (await session.execute(_GRANTS_BY_TOPIC_IDS, {"ids": list(set(ids))})).all()
    for row in records(TopicAccess, rows):
        out.setdefault(row.topic_id, []).append(row)
    return out


async def grant(
    session: AsyncSession, *, topic_ids: Sequence[int], kind: str, principal_ids: Sequence[int], role: int
) -> None:
    for topic_id in topic_ids:
        for principal_id in principal_ids:
            key = (topic_id, kind, principal_id, role)
            if await session.get(TopicAccess, key) is None:
                session.add(
                    TopicAccess(topic_id=topic_id, principal_kind=kind, principal_id=principal_id, role=role)
                )
    await session.flush()


async def revoke(
    session: AsyncSession, *, topic_ids: Sequence[int], kind: str, principal_ids: Sequence[int], role: int
) -> None:
    if topic_ids and principal_ids:
        await session.execute(
            delete(TopicAccess).where(
                TopicAccess.topic_id.in_(set(topic_ids)),
                TopicAccess.principal_kind == kind,
                TopicAccess.principal_id.in_(set(principal_ids)),
                TopicAccess.role == role,
            )
        )


async def copy_grants(session: AsyncSession, *, from_topic_id: int, to_topic_id: int) -> None:
    rows = (
        (await session.execute(select(TopicAccess).where(TopicAccess.topic_id == from_topic_id)))
        .scalars()
        .all()
    )
    session.add_all(
        TopicAccess(
            topic_id=to_topic_id, principal_kind=r.principal_kind, principal_id=r.principal_id, role=r.role
        )
        for r in rows
    )
    await session.flush()


async def update_parameters(session: AsyncSession, *, topic_id: int, values: dict[str, Any]) -> None:
    if values:
        await session.execute(update(Topic).where(Topic.id == topic_id).values(**values))
