"""Group."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from app import models
from app.domain.pagination import Page, encode_cursor
from app.graphql.context import Info
from app.graphql.types.common import Connection
from app.graphql.types.users import User


@strawberry.type(name="Group")
class Group(relay.Node):
    id: relay.NodeID[int]
    name: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.Group) -> Group:
        assert row.id is not None
        return cls(id=row.id, name=row.name, created_at=row.created_at)

    @strawberry.field(description="Members, by username.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[User]:
        page = info.context.page(first=first, after=after)
        ids = await info.context.loaders.member_ids.load(self.id)
        rows = [r for r in await info.context.loaders.user.load_many(ids) if r is not None]
        rows.sort(key=lambda u: (u.username_key, u.id))
        keys = [(u.username_key, u.id) for u in rows]
        start = 0
        if page.after:
            from app.domain.pagination import check_cursor_values, decode_cursor

            mark = check_cursor_values(decode_cursor(page.after, arity=2), (str, int))
            start = next((i for i, k in enumerate(keys) if k > tuple(mark)), len(keys))
        chosen = rows[start : start + page.size]
        result = Page(
            chosen,
            [encode_cursor(k) for k in keys[start : start + page.size]],
            has_next_page=start + page.size < len(rows),
            has_previous_page=start > 0,
            total_count=len(rows),
        )
        return Connection.of(result, User.from_row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_group(info, int(i)) for i in node_ids]


async def load_group(info: Info, group_id: int) -> Group | None:
    if info.context.viewer is None:
        return None
    row = await info.context.loaders.group.load(group_id)
    return Group.from_row(row) if row else None
