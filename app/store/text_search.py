"""Full-text search in SQL: FTS5 on SQLite, a tsvector column on PostgreSQL; substring search
from a trigram index (FTS5 `trigram` table on SQLite, pg_trgm on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, and_, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.search_terms import CONTAINS_FUNCTION, fts5_query, like_contains, trigram_query, tsquery
from app.models import Message

_fts = table("messages_fts", column("rowid"), column("rank"))
_fts_match = literal_column("messages_fts").op("MATCH")
_trigram = table("messages_trigram", column("rowid"))
_trigram_match = literal_column("messages_trigram").op("MATCH")


def text_match(dialect: str, terms: list[str]) -> Any:
    """Condition on Message: its text matches every term as a word prefix."""
    if dialect == "sqlite":
        return Message.id.in_(select(_fts.c.rowid).where(_fts_match(fts5_query(terms))))
    return literal_column("messages.search").op("@@")(func.to_tsquery("simple", tsquery(terms)))


def contains_match(dialect: str, pattern: str, *, per_row: bool = False) -> Any:
    """Condition on Message: its text contains `pattern`, case-insensitively (migration 0010).

    SQLite: the rowids of an FTS5 phrase over the trigram table (`id IN (...)`: the index drives),
    or `per_row`, the live predicate as an SQL function (app.domain.search_terms.contains): a walk over a
    couple of thousand rows checks each for less than reading it costs, instead of collecting
    every match of a common pattern (seeking each row in the trigram lists cost 0.1 to 1 ms a
    row at 1M).
    PostgreSQL: ILIKE, answered by the pg_trgm GIN index."""
    if dialect == "sqlite":
        if per_row:
            return getattr(func, CONTAINS_FUNCTION)(Message.text, pattern).is_(True)
        return Message.id.in_(select(_trigram.c.rowid).where(_trigram_match(trigram_query(pattern))))
    return Message.text.ilike(like_contains(pattern), escape="\\")


async def count_matches(
    session: AsyncSession, query: str, *, where: Sequence[Any] = (), trigram: bool = False
) -> int:
    """How many messages match the FTS5 `query` (of the trigram index if `trigram`); with `where`,
    a condition on each message too."""
    fts, match = (_trigram, _trigram_match) if trigram else (_fts, _fts_match)
    stmt = select(func.count()).select_from(fts).where(match(query))
    if where:
        stmt = stmt.join(Message, Message.id == fts.c.rowid).where(*where)
    return int((await session.execute(stmt)).scalar_one())


def join_matches(stmt: Any, terms: list[str]) -> Any:
    """`stmt` over Message restricted to text matches by a join driven from the FTS5 index (SQLite):
    counting many matches this way skips building a temporary set of every matching id."""
    return stmt.join(_fts, _fts.c.rowid == Message.id).where(_fts_match(fts5_query(terms)))


def relevance(dialect: str, terms: list[str]) -> tuple[Any | None, Any]:
    """(a subquery to join on its `rowid`, or None; the score: higher is more relevant).

    On SQLite the bm25 rank comes from one FTS5 query joined to the messages: a correlated
    subquery would run the whole MATCH again for every candidate row.
    """
    if dialect == "sqlite":
        ranked = select(_fts.c.rowid.label("rowid"), _fts.c.rank.label("rank")).where(
            _fts_match(fts5_query(terms))
        )
        source = ranked.subquery("fts_ranked")
        return source, -source.c.rank
    score = func.ts_rank(
        literal_column("messages.search"), func.to_tsquery("simple", tsquery(terms)), type_=Float
    )
    return None, score


def starts_with(column_: Any, prefix: str, dialect: str) -> Any:
    """`column` starts with `prefix`, as a range SQLite can answer from an index (LIKE cannot)."""
    if dialect == "sqlite":
        return and_(column_ >= prefix, column_ < prefix + "\U0010ffff")
    return column_.startswith(prefix, autoescape=True)
