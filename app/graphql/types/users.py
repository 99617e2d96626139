"""User."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from app import models
from app.access.read_rules import may_see_groups
from app.graphql.context import Info

if TYPE_CHECKING:
    from app.graphql.types.groups import Group


@strawberry.type(name="User")
class User(relay.Node):
    id: relay.NodeID[int]
    username: str
    display_name: str
    avatar_url: str | None
    locale: str = strawberry.field(description="Used to render translated messages.")
    created_at: datetime
    last_active_at: datetime | None

    @classmethod
    def from_row(cls, row: models.User) -> User:
        assert row.id is not None
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            avatar_url=row.avatar_url,
            locale=row.locale,
            created_at=row.created_at,
            last_active_at=row.last_active_at,
        )

    @strawberry.field(description='System rights, e.g. "admin", "system.message".')
    async def rights(self, info: Info) -> list[str]:
        return await info.context.loaders.rights.load(self.id)

    @strawberry.field
    async def groups(self, info: Info) -> list[Annotated[Group, strawberry.lazy("app.graphql.types.groups")]]:
        from app.graphql.types.groups import Group

        if not may_see_groups(info.context.viewer):
            return []
        ids = await info.context.loaders.group_ids.load(self.id)
        return [Group.from_row(g) for g in await info.context.loaders.group.load_many(ids) if g is not None]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_user(info, int(i)) for i in node_ids]


async def load_user(info: Info, user_id: int) -> User | None:
    if info.context.viewer is None:
        return None
    row = await info.context.loaders.user.load(user_id)
    return User.from_row(row) if row else None
