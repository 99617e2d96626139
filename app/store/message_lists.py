"""Lists and counts of messages chosen by filter conditions, in any order, keyset-paged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Message, MessageLabel, MessageTag, Topic, User
from app.pagination import Page, PageRequest
from app.store.keyset import SortKey, paginate
from app.store.messages import messages_by_ids
from app.store.search import relevance


def order_expression(field: str, *, score: Any = None) -> Any:
    """The sort expression of a MessageOrderField (never NULL, so keyset comparisons hold)."""
    if field == "RELEVANCE":
        return score if score is not None else literal(0.0)
    if field == "CREATED_AT":
        return Message.created_at
    if field == "UPDATED_AT":
        return func.coalesce(Message.updated_at, Message.created_at)
    if field == "TEXT":
        return Message.text
    if field == "LIKES":
        return Message.like_count
    if field == "VOTES_UP":
        return Message.votes_up
    if field == "VOTES_DOWN":
        return Message.votes_down
    if field == "REPLIES":
        return Message.reply_count
    if field == "TOPIC":
        return func.coalesce(select(Topic.path).where(Topic.id == Message.topic_id).scalar_subquery(), "")
    if field == "AUTHOR":
        return select(User.username_key).where(User.id == Message.author_id).scalar_subquery()
    if field == "LABELS":
        first = select(func.min(MessageLabel.text)).where(MessageLabel.message_id == Message.id)
        return func.coalesce(first.scalar_subquery(), "")
    if field == "TAGS":
        first = select(func.min(MessageTag.tag)).where(MessageTag.message_id == Message.id)
        return func.coalesce(first.scalar_subquery(), "")
    raise ValueError(f"unknown order field {field}")


async def list_messages(
    session: AsyncSession,
    *,
    where: Sequence[Any],
    order: Sequence[tuple[str, bool]],
    page: PageRequest,
    with_total: bool = True,
    terms: list[str] | None = None,
    selective: bool = False,
) -> Page[Message]:
    """`order` is [(field, descending)]; the id breaks ties in the direction of the last field."""
    order = list(order) or [("CREATED_AT", True)]
    dialect = session.get_bind().dialect.name
    source, score = None, None
    if terms and any(f == "RELEVANCE" for f, _ in order):
        source, score = relevance(dialect, terms)

    def expression(field: str) -> Any:
        return order_expression(field, score=score)

    expressions = [expression(f).label(f"k{i}") for i, (f, _) in enumerate(order)]
    # Page over ids and sort keys only (narrow rows to sort), then load the page's messages.
    stmt = select(Message.id, *expressions).where(*where)
    if source is not None:  # the text condition: only rows of the ranked FTS query
        stmt = stmt.join(source, source.c.rowid == Message.id)
    keys = [SortKey(expression(f), desc) for f, desc in order] + [SortKey(Message.id, order[-1][1])]
    result = await paginate(
        session,
        stmt,
        keys=keys,
        key_of=lambda row: (*row[1:], row[0]),
        page=page,
        with_total=with_total,
        scalars=False,
        sort_by_value=selective and dialect == "sqlite",
    )
    ids = [row[0] for row in result.items]
    rows = await messages_by_ids(session, ids=ids)
    result.items = [rows[i] for i in ids if i in rows]
    return result


def ranked_join(order: Sequence[tuple[str, bool]], terms: list[str] | None, dialect: str) -> bool:
    """True when list_messages restricts to text matches through its ranked FTS join (SQLite);
    on PostgreSQL the rank is computed on the row and the text condition stays in the filter."""
    return dialect == "sqlite" and bool(terms) and any(f == "RELEVANCE" for f, _ in order)


async def count_messages(session: AsyncSession, *, where: Sequence[Any]) -> int:
    stmt = select(func.count()).select_from(Message).where(*where)
    return int((await session.execute(stmt)).scalar_one())


async def matching_ids(session: AsyncSession, *, where: Sequence[Any], limit: int) -> list[int]:
    stmt = select(Message.id).where(*where).order_by(Message.id).limit(limit)
    return list((await session.execute(stmt)).scalars())
