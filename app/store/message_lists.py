"""Lists and counts of messages chosen by filter conditions, in any order, keyset-paged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest, decode_cursor
from app.domain.search_terms import fts5_query
from app.models import Message, MessageLabel, MessageTag, Topic, User
from app.store.keyset import SortKey, order_clauses, paginate, seek
from app.store.messages import message_records_by_ids
from app.store.ranked_search import page_ranked_ids
from app.store.rows import records
from app.store.text_search import join_matches, relevance, text_match

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


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
    rank_window: int | None = None,
    readable: Sequence[Any] = (),
    walk: tuple[Sequence[Any], int] | None = None,
    on_walk_miss: Callable[[], None] | None = None,
) -> Page[Message]:
    """`order` is [(field, descending)]; the id breaks ties in the direction of the last field.

    Ordered by RELEVANCE alone on SQLite with a `rank_window`, only the newest `rank_window`
    text matches the viewer may read (`readable`) are ranked (app.store.ranked_search). A
    `selective` filter on SQLite collects and sorts its matches; with `walk` = (the same filter
    with per-row checks, rows) and the default order, the next `rows` messages in order are
    tried first (see _page_from_walk).
    """
    order = list(order) or [("CREATED_AT", True)]
    dialect = session.get_bind().dialect.name
    if terms and rank_window and dialect == "sqlite" and [f for f, _ in order] == ["RELEVANCE"]:
        window = (rank_window, readable)
        return await _ranked_page(session, where, terms, order[0][1], page, window, with_total)
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
    result = None
    widen = _widen(keys)
    if walk is not None and selective and dialect == "sqlite" and [f for f, _ in order] == ["CREATED_AT"]:
        result = await _page_from_walk(session, walk[0], keys, expressions, page, walk[1], widen)
        if result is None and on_walk_miss is not None:
            on_walk_miss()
    if result is None:
        result = await paginate(
            session,
            stmt,
            keys=keys,
            key_of=_wide_key_of,
            page=page,
            with_total=with_total,
            scalars=False,
            sort_by_value=selective and dialect == "sqlite",
            outer=widen,
        )
    elif with_total:
        result.total_count = await count_messages(session, where=where)
    result.items = records(Message, (row[:_WIDTH] for row in result.items))
    return result


def _widen(keys: Sequence[SortKey]) -> Any:
    """The page is chosen over (id, sort keys) only, narrow rows to sort; this wraps that choice
    to load the chosen messages whole in the same statement: rows (the message's columns, id,
    k0, ...), the columns read as a read-only record (app/store/rows.py)."""

    def outer(limited: Any, forward: bool) -> Any:
        chosen = limited.subquery()
        outer_keys = [SortKey(chosen.c[f"k{i}"], k.descending) for i, k in enumerate(keys[:-1])]
        outer_keys.append(SortKey(chosen.c.id, keys[-1].descending))
        return (
            select(*_COLUMNS, *chosen.c)
            .join(chosen, chosen.c.id == Message.id)
            .order_by(*order_clauses(outer_keys, forward=forward))
        )

    return outer


_COLUMNS = list(Message.__table__.columns)  # type: ignore[attr-defined]
_WIDTH = len(_COLUMNS)


def _wide_key_of(row: Any) -> tuple[Any, ...]:
    return (*row[_WIDTH + 1 :], row[_WIDTH])


async def _ranked_page(
    session: AsyncSession,
    where: Sequence[Any],
    terms: list[str],
    descending: bool,
    page: PageRequest,
    window: tuple[int, Sequence[Any]],
    with_total: bool,
) -> Page[Message]:
    """RELEVANCE order on SQLite, ranking only the newest `window[0]` matches readable under
    `window[1]`; `where` leaves the text condition out (the FTS5 index applies it)."""
    ranked = await page_ranked_ids(
        session,
        where=where,
        query=fts5_query(terms),
        descending=descending,
        page=page,
        window=window[0],
        readable=window[1],
    )
    by_id = await message_records_by_ids(session, ids=ranked.items)
    total = await count_messages(session, where=[*where, text_match("sqlite", terms)]) if with_total else None
    return Page(
        [by_id[i] for i in ranked.items if i in by_id],
        [c for i, c in zip(ranked.items, ranked.cursors, strict=True) if i in by_id],
        has_next_page=ranked.has_next_page,
        has_previous_page=ranked.has_previous_page,
        total_count=total,
    )


async def _page_from_walk(
    session: AsyncSession,
    where: Sequence[Any],
    keys: Sequence[SortKey],
    columns: Sequence[Any],
    page: PageRequest,
    rows: int,
    outer: Any,
) -> Page[Any] | None:
    """The page, if a walk over at most the next `rows` messages in date order finds it.

    A filter that matches many messages fills a page from the first few hundred entries of the
    date index, where collecting and sorting all its matches costs a step per match. The walk
    stops at the page's end or at the date of the `rows`-th next message, so it is bounded
    whatever the filter. The matches it passes are a prefix of all matches in order, so the
    page it finds is exact; if it stops at the bound first, None: the caller collects instead.
    """
    forward = not page.backward
    cursor = page.after if forward else page.before
    after = seek(keys, decode_cursor(cursor, arity=len(keys)), forward=forward) if cursor else None
    # keys are (created_at, id): the walk goes down created_at when listing newest first
    down = keys[0].descending == forward
    bound_stmt = select(keys[0].expr).order_by(*order_clauses(keys, forward=forward)).offset(rows - 1)
    if after is not None:
        bound_stmt = bound_stmt.where(after)
    # the bound is a subquery of the walk (one statement); with fewer rows left it is NULL, and
    # the earliest (or latest) date stands in: no bound. A constant, so the range uses the index.
    no_bound = literal(EARLIEST if down else LATEST, type_=Message.created_at.type)
    bound = func.coalesce(bound_stmt.limit(1).scalar_subquery(), no_bound)
    stmt = select(Message.id, *columns).where(
        *where, keys[0].expr >= bound if down else keys[0].expr <= bound
    )
    result = await paginate(
        session, stmt, keys=keys, key_of=_wide_key_of, page=page, scalars=False, outer=outer
    )
    full = result.has_next_page if forward else result.has_previous_page
    # not full: the bound cut it short, or the matches ran out; collecting them all is exact
    return result if full else None


def ranked_join(order: Sequence[tuple[str, bool]], terms: list[str] | None, dialect: str) -> bool:
    """True when list_messages restricts to text matches through its ranked FTS join (SQLite);
    on PostgreSQL the rank is computed on the row and the text condition stays in the filter."""
    return dialect == "sqlite" and bool(terms) and any(f == "RELEVANCE" for f, _ in order)


async def count_messages(
    session: AsyncSession, *, where: Sequence[Any], joined_terms: list[str] | None = None
) -> int:
    """`joined_terms`: the text condition, left out of `where` and applied by an FTS5 join (SQLite)."""
    stmt = select(func.count()).select_from(Message).where(*where)
    if joined_terms:
        stmt = join_matches(stmt, joined_terms)
    return int((await session.execute(stmt)).scalar_one())


async def count_by(session: AsyncSession, stmt: Any) -> int:
    """Run a count statement built elsewhere (app.filters.sql.tagged_count)."""
    return int((await session.execute(stmt)).scalar_one())


async def matching_ids(session: AsyncSession, *, where: Sequence[Any], limit: int) -> list[int]:
    stmt = select(Message.id).where(*where).order_by(Message.id).limit(limit)
    return list((await session.execute(stmt)).scalars())
