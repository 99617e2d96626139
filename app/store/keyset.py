"""Keyset (seek) pagination over any ordered select: no OFFSET, stable under inserts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.domain.errors import InvalidInput
from app.domain.pagination import Cursors, Page, PageRequest, cursor_value_ok, decode_cursor
from app.store.rows import records

T = TypeVar("T")


@dataclass(frozen=True)
class SortKey:
    expr: ColumnElement[Any]
    descending: bool


def _python_type(key: SortKey) -> type | None:
    column_type = key.expr.type
    column_type = getattr(column_type, "impl_instance", column_type)  # a TypeDecorator's own type
    try:
        expected = column_type.python_type
    except NotImplementedError:
        return None
    return None if expected is object else expected


def seek(keys: Sequence[SortKey], values: tuple[Any, ...], *, forward: bool) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys` (or before when not forward)."""
    for value, key in zip(values, keys, strict=True):
        if not cursor_value_ok(
            value, _python_type(key), int_bits=64 if isinstance(key.expr.type, BigInteger) else 32
        ):
            raise InvalidInput("The cursor is not valid for this list.", field="cursor")
    clauses = []
    for i, key in enumerate(keys):
        prefix = [keys[j].expr == values[j] for j in range(i)]
        greater = key.descending != forward  # ascending+forward -> '>'
        step = key.expr > values[i] if greater else key.expr < values[i]
        clauses.append(and_(*prefix, step))
    return or_(*clauses)


def order_clauses(keys: Sequence[SortKey], *, forward: bool, by_value: bool = False) -> list[Any]:
    """ORDER BY for walking `keys` forward or backward (`by_value`: see paginate)."""
    exprs = [func.coalesce(k.expr, k.expr) if by_value else k.expr for k in keys]
    return [(e.desc() if k.descending == forward else e.asc()) for e, k in zip(exprs, keys, strict=True)]


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    keys: Sequence[SortKey],
    key_of: Callable[[Any], tuple[Any, ...]],
    page: PageRequest,
    with_total: bool = False,
    sort_by_value: bool = False,
    scalars: bool = True,
    outer: Callable[[Select[Any], bool], Select[Any]] | None = None,
    records_of: type | None = None,
) -> Page[Any]:
    """`outer(limited, forward)`, when given, wraps the ordered and limited statement (to load
    whole rows for a page chosen over narrow ones, in the same statement). `records_of`: the
    statement is `select_records(model)`; the page holds read-only records (app/store/rows.py)."""
    total = None
    if with_total:
        count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = int((await session.execute(count_stmt)).scalar_one())
    forward = not page.backward
    cursor = page.after if forward else page.before
    if cursor is not None:
        stmt = stmt.where(seek(keys, decode_cursor(cursor, arity=len(keys)), forward=forward))
    # sort_by_value: ORDER BY a no-op function of each key, so SQLite picks its index for the
    # WHERE clause (a selective filter) and sorts the few matches, instead of walking an
    # ordering index past most of the table.
    stmt = stmt.order_by(*order_clauses(keys, forward=forward, by_value=sort_by_value)).limit(page.size + 1)
    if outer is not None:
        stmt = outer(stmt, forward)
    result = await session.execute(stmt)
    rows: list[Any]
    if records_of is not None:
        rows = records(records_of, result.all())
    else:
        rows = list(result.scalars().all() if scalars else result.all())
    more = len(rows) > page.size
    rows = rows[: page.size]
    if not forward:
        rows.reverse()
    cursors = Cursors([key_of(r) for r in rows])
    if forward:
        return Page(
            rows,
            cursors,
            has_next_page=more,
            has_previous_page=page.after is not None,
            total_count=total,
        )
    return Page(
        rows,
        cursors,
        has_next_page=page.before is not None,
        has_previous_page=more,
        total_count=total,
    )
