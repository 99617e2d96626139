"""Topic, its access lists and parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app import models
from app.access.places import ADMIN, READ, WRITE
from app.domain.pagination import Page
from app.domain.topic_paths import name_of
from app.graphql.context import Info
from app.graphql.filter_inputs import MessageFilter, MessageOrder, order_of
from app.graphql.types.common import Connection
from app.graphql.types.message_connection import MessageConnection, TreeView, message_connection
from app.graphql.types.principals import Principal, load_principals
from app.queries import messages as messages_queries
from app.queries import topics as topics_queries


@strawberry.type
class TopicAccess:
    readers: list[Principal]
    writers: list[Principal]
    admins: list[Principal]


@strawberry.type
class TopicParameters:
    max_length: int
    max_replies: int
    can_force_date: bool
    can_update_message: bool
    can_update_all_messages: bool
    can_delete_message: bool
    can_delete_all_messages: bool
    admin_can_update_all_messages: bool
    admin_can_delete_all_messages: bool
    extra: JSON | None


@strawberry.type(name="Topic")
class Topic(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[models.Topic]
    level: strawberry.Private[int]
    path: str
    description: str | None
    read_only: bool = strawberry.field(description="Public read without login; nobody but admins writes.")

    @classmethod
    def from_row(cls, row: models.Topic, level: int) -> Topic:
        assert row.id is not None
        return cls(
            id=row.id,
            row=row,
            level=level,
            path=row.path,
            description=row.description,
            read_only=row.read_only,
        )

    @strawberry.field(description="The last path segment.")
    def name(self) -> str:
        return name_of(self.path)

    @strawberry.field
    async def parent(self, info: Info) -> Topic | None:
        return await load_topic(info, self.row.parent_id) if self.row.parent_id else None

    @strawberry.field
    async def children(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Topic]:
        page = info.context.page(first=first, after=after)
        return await topic_connection(
            info, await topics_queries.topic_children(info.context.db, info.context.viewer, self.id, page)
        )

    @strawberry.field(
        description="Who may read, write and administer it (empty unless the viewer is an admin)."
    )
    async def access(self, info: Info) -> TopicAccess:
        roles: dict[int, list[tuple[str, int]]] = {READ: [], WRITE: [], ADMIN: []}
        if self.level >= ADMIN:
            grants = await info.context.loaders.topic_grants.load(self.id)
            for grant in sorted(grants, key=lambda g: (g.principal_kind, g.principal_id)):
                roles[grant.role].append((grant.principal_kind, grant.principal_id))
        return TopicAccess(
            readers=await load_principals(info, roles[READ]),
            writers=await load_principals(info, roles[WRITE]),
            admins=await load_principals(info, roles[ADMIN]),
        )

    @strawberry.field
    def parameters(self) -> TopicParameters:
        r = self.row
        return TopicParameters(
            max_length=r.max_length,
            max_replies=r.max_replies,
            can_force_date=r.can_force_date,
            can_update_message=r.can_update_message,
            can_update_all_messages=r.can_update_all_messages,
            can_delete_message=r.can_delete_message,
            can_delete_all_messages=r.can_delete_all_messages,
            admin_can_update_all_messages=r.admin_can_update_all_messages,
            admin_can_delete_all_messages=r.admin_can_delete_all_messages,
            extra=r.extra or None,  # type: ignore[arg-type]
        )

    @strawberry.field(description="Messages in this topic (the filter narrows further).")
    async def messages(
        self,
        info: Info,
        filter: MessageFilter | None = None,
        order_by: list[MessageOrder] | None = None,
        tree_view: TreeView = TreeView.NONE,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MessageConnection:
        spec = (filter or MessageFilter()).to_spec(topic=self.path)
        page = info.context.page(first=first, after=after, last=last, before=before)
        return await message_connection(info, spec, order_of(order_by), page, tree_view)

    @strawberry.field
    async def message_count(self, info: Info, filter: MessageFilter | None = None) -> int:
        spec = (filter or MessageFilter()).to_spec(topic=self.path)
        return await messages_queries.message_count(info.context.db, info.context.viewer, spec)

    @strawberry.field(description="Messages by others the viewer has not read.")
    async def unread_count(self, info: Info) -> int:
        if info.context.viewer is None:
            return 0
        spec = MessageFilter(unread=True).to_spec(topic=self.path)
        return await messages_queries.message_count(info.context.db, info.context.viewer, spec)

    @strawberry.field
    def viewer_can_write(self) -> bool:
        return self.level >= WRITE

    @strawberry.field
    def viewer_is_admin(self) -> bool:
        return self.level >= ADMIN

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_topic(info, int(i)) for i in node_ids]


async def load_topic(info: Info, topic_id: int) -> Topic | None:
    row = await info.context.loaders.topic.load(topic_id)
    if row is None:
        return None
    level = await info.context.loaders.topic_level.load(topic_id)
    return Topic.from_row(row, level) if level >= READ else None


async def topic_connection(info: Info, result: Page[models.Topic]) -> Connection[Topic]:
    ids = [t.id for t in result.items if t.id is not None]
    levels = dict(zip(ids, await info.context.loaders.topic_level.load_many(ids), strict=True))
    return Connection.of(result, lambda t: Topic.from_row(t, levels[t.id]))
