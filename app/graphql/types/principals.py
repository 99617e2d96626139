"""Principal: a user or a group (grants, notice recipients, announcement owners)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app.graphql.context import Info
from app.graphql.types.groups import Group
from app.graphql.types.users import User

Principal = Annotated[User | Group, strawberry.union("Principal")]


async def load_principals(info: Info, principals: list[tuple[str, int]]) -> list[Any]:
    out: list[Any] = []
    for kind, pk in principals:
        if kind == "user":
            row = await info.context.loaders.user.load(pk)
            if row is not None:
                out.append(User.from_row(row))
        else:
            group = await info.context.loaders.group.load(pk)
            if group is not None:
                out.append(Group.from_row(group))
    return out
