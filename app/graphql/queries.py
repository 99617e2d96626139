"""Root query fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry import relay

from app import queries
from app.graphql.context import Info
from app.graphql.ids import parse_global_id
from app.graphql.types.common import Connection
from app.graphql.types.conversations import Conversation, load_conversation
from app.graphql.types.messages import Message, load_message
from app.graphql.types.users import User, load_user

NODE_LOADERS: dict[str, Callable[[Info, int], Awaitable[Any]]] = {
    "User": load_user,
    "Message": load_message,
    "Conversation": load_conversation,
}


async def load_node(info: Info, node_id: str) -> relay.Node | None:
    parsed = parse_global_id(node_id)
    if parsed is None or parsed[0] not in NODE_LOADERS:
        return None
    return await NODE_LOADERS[parsed[0]](info, parsed[1])


def _id_of(value: str, type_name: str) -> int | None:
    parsed = parse_global_id(value)
    return parsed[1] if parsed and parsed[0] == type_name else None


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id, if the viewer may see it.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await load_node(info, id)

    @strawberry.field(description="One entry per id, null where missing or not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        return [await load_node(info, i) for i in ids]

    @strawberry.field(description="The logged-in user; null when anonymous.")
    async def viewer(self, info: Info) -> User | None:
        viewer = info.context.viewer
        return await load_user(info, viewer.user_id) if viewer else None

    @strawberry.field
    async def user(self, info: Info, username: str) -> User | None:
        row = await queries.user_by_username(info.context.db, info.context.viewer, username)
        return User.from_row(row) if row else None

    @strawberry.field
    async def users(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        page = info.context.page(first=first, after=after)
        return Connection.of(
            await queries.users(info.context.db, info.context.viewer, search, page), User.from_row
        )

    @strawberry.field
    async def conversation(self, info: Info, id: strawberry.ID) -> Conversation | None:
        pk = _id_of(id, "Conversation")
        return await load_conversation(info, pk) if pk is not None else None

    @strawberry.field(description="The viewer's conversations, most recent activity first.")
    async def conversations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Conversation]:
        page = info.context.page(first=first, after=after)
        result = await queries.conversations(info.context.db, info.context.viewer, page)
        return Connection.of(result, Conversation.from_row)

    @strawberry.field
    async def message(self, info: Info, id: strawberry.ID) -> Message | None:
        pk = _id_of(id, "Message")
        return await load_message(info, pk) if pk is not None else None
