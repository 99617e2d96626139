"""Relevance-ranked full-text pages on SQLite, with the bm25 work bounded.

FTS5 computes bm25 for every match before it can sort, which for a word in a third of a
million messages costs a quarter of a second. So only the newest `window` matches of the text
query are ranked; older matches follow them, newest first. The list is still the whole match
set in one total order, and its cursors are (score, id) pairs as on every other list: an older
match has the score UNRANKED, below every bm25 score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, column, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest, check_cursor_values, decode_cursor, encode_cursor
from app.models import Message

UNRANKED = 0.0  # FTS5's rank is minus bm25 and bm25 is positive for a match: scores are > 0

_fts = table("messages_fts", column("rowid"), column("rank"))
_match = literal_column("messages_fts").op("MATCH")


def _newest(columns: Sequence[Any], query: str, readable: Sequence[Any]) -> Any:
    """Matches of `query` the viewer may read, newest first: the window is counted among those,
    so where it ends says nothing of messages the viewer cannot see."""
    stmt = select(*columns).select_from(_fts).where(_match(query)).order_by(_fts.c.rowid.desc())
    if readable:
        stmt = stmt.join(Message, Message.id == _fts.c.rowid).where(*readable)
    return stmt


async def window_start(session: AsyncSession, query: str, window: int, readable: Sequence[Any]) -> int | None:
    """The id of the `window`-th newest readable match of `query`, or None when there are fewer."""
    stmt = _newest([_fts.c.rowid], query, readable).limit(1).offset(window - 1)
    return (await session.execute(stmt)).scalar_one_or_none()


def _after(expr: Any, value: Any, descending: bool) -> Any:
    return expr < value if descending else expr > value


async def _ranked(
    session: AsyncSession,
    where: Sequence[Any],
    query: str,
    window: int,
    readable: Sequence[Any],
    at: tuple[Any, ...] | None,
    descending: bool,
    limit: int,
) -> list[tuple[int, float]]:
    """The newest `window` readable matches, by bm25 score then id, after `at` (FTS5 walks its
    index newest first and scores only those)."""
    columns = [_fts.c.rowid.label("rowid"), _fts.c.rank.label("rank")]
    ranked = _newest(columns, query, readable).limit(window).subquery("fts_ranked")
    score = -ranked.c.rank
    stmt = select(Message.id, score).join(ranked, ranked.c.rowid == Message.id).where(*where)
    if at is not None:
        stmt = stmt.where(
            or_(
                _after(score, at[0], descending),
                and_(score == at[0], _after(Message.id, at[1], descending)),
            )
        )
    direction = (lambda e: e.desc()) if descending else (lambda e: e.asc())
    stmt = stmt.order_by(direction(score), direction(Message.id)).limit(limit)
    return [(row[0], float(row[1])) for row in await session.execute(stmt)]


async def _older(
    session: AsyncSession,
    where: Sequence[Any],
    query: str,
    start: int,
    at: tuple[Any, ...] | None,
    descending: bool,
    limit: int,
) -> list[tuple[int, float]]:
    """Matches before `start`, by id, driven by the FTS index in id order (no sort)."""
    stmt = (
        select(Message.id)
        .select_from(_fts)
        .join(Message, Message.id == _fts.c.rowid)
        .where(_match(query), _fts.c.rowid < start, *where)
    )
    if at is not None:
        stmt = stmt.where(_after(_fts.c.rowid, at[1], descending))
    order = _fts.c.rowid.desc() if descending else _fts.c.rowid.asc()
    stmt = stmt.order_by(order).limit(limit)
    return [(row[0], UNRANKED) for row in await session.execute(stmt)]


async def page_ranked_ids(
    session: AsyncSession,
    *,
    where: Sequence[Any],
    query: str,
    descending: bool,
    page: PageRequest,
    window: int,
    readable: Sequence[Any] = (),
) -> Page[int]:
    """A page of message ids in relevance order (best first when `descending`); `readable`: the
    viewer's read-access condition, which the window is counted under."""
    forward = not page.backward
    cursor = page.after if forward else page.before
    at = check_cursor_values(decode_cursor(cursor, arity=2), (float, int)) if cursor is not None else None
    parts = ["ranked", "older"] if descending else ["older", "ranked"]
    if not forward:
        parts.reverse()
    if at is not None:  # begin in the part that holds the cursor
        parts = parts[parts.index("older" if at[0] == UNRANKED else "ranked") :]
    step_desc = descending == forward
    rows: list[tuple[int, float]] = []
    for i, part in enumerate(parts):
        need = page.size + 1 - len(rows)
        if need <= 0:
            break
        part_at = at if i == 0 else None
        if part == "ranked":
            rows += await _ranked(session, where, query, window, readable, part_at, step_desc, need)
            continue
        start = await window_start(session, query, window, readable)  # only when a page gets past it
        if start is not None:  # else every match is ranked: there is no older part
            rows += await _older(session, where, query, start, part_at, step_desc, need)
    more = len(rows) > page.size
    rows = rows[: page.size]
    if not forward:
        rows.reverse()
    ids = [r[0] for r in rows]
    cursors = [encode_cursor((score, id_)) for id_, score in rows]
    if forward:
        return Page(ids, cursors, has_next_page=more, has_previous_page=page.after is not None)
    return Page(ids, cursors, has_next_page=page.before is not None, has_previous_page=more)
