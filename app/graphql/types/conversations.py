"""Conversation: a private chat between participants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from app import models
from app.graphql.context import Info
from app.graphql.prefetch import prefetch_message_parts
from app.graphql.types.message_connection import MessageConnection
from app.graphql.types.messages import Message, load_message
from app.graphql.types.users import User
from app.queries import conversations as conversations_queries


@strawberry.type(name="Conversation")
class Conversation(relay.Node):
    id: relay.NodeID[int]
    title: str | None
    is_direct: bool = strawberry.field(description="Two people, no title: one per pair.")
    created_at: datetime
    last_activity_at: datetime

    @classmethod
    def from_row(cls, row: models.Conversation) -> Conversation:
        assert row.id is not None
        return cls(
            id=row.id,
            title=row.title,
            is_direct=row.direct_key is not None,
            created_at=row.created_at,
            last_activity_at=row.last_activity_at,
        )

    @strawberry.field
    async def participants(self, info: Info) -> list[User]:
        ids = await info.context.loaders.participant_ids.load(self.id)
        rows = await info.context.loaders.user.load_many(ids)
        return [User.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="Newest first; pageInfo.hasNextPage means older messages exist.")
    async def messages(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MessageConnection:
        page = info.context.page(first=first, after=after, last=last, before=before)
        result = await conversations_queries.conversation_messages(info.context.db, self.id, page)
        for row in result.items:
            info.context.loaders.prime_message(row)
        await prefetch_message_parts(info, result.items)
        db, conversation_id = info.context.db, self.id
        return MessageConnection.of(
            result, count=lambda: conversations_queries.conversation_message_count(db, conversation_id)
        )

    @strawberry.field(description="Messages by others the viewer has not read.")
    async def unread_count(self, info: Info) -> int:
        return await info.context.loaders.unread_count.load(self.id)

    @strawberry.field
    async def last_message(self, info: Info) -> Message | None:
        message_id = await info.context.loaders.last_message_id.load(self.id)
        return await load_message(info, message_id) if message_id is not None else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_conversation(info, int(i)) for i in node_ids]


async def load_conversation(info: Info, conversation_id: int) -> Conversation | None:
    row = await conversations_queries.conversation(info.context.db, info.context.viewer, conversation_id)
    return Conversation.from_row(row) if row else None
