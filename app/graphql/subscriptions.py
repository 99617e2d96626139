"""Live subscriptions over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app import queries
from app.access import require_viewer
from app.errors import NotFound
from app.events import EventKind
from app.graphql.context import Info
from app.graphql.ids import expect_id
from app.graphql.types.messages import Message
from app.live import LiveEvent


@strawberry.input(description="Chooses messages; more fields arrive with the filter language.")
class MessageFilter:
    conversation: strawberry.ID | None = None


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New messages the viewer may read, matching the filter.")
    async def message_added(
        self, info: Info, filter: MessageFilter | None = None
    ) -> AsyncGenerator[Message, None]:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        conversation_id = None
        if filter is not None and filter.conversation is not None:
            conversation_id = expect_id(filter.conversation, "Conversation", field="filter.conversation")
            if await queries.conversation(ctx.db, viewer, conversation_id) is None:
                raise NotFound("Conversation not found.", id=filter.conversation)

        def accepts(event: LiveEvent) -> bool:
            return (
                event.kind == EventKind.ADDED
                and event.message is not None
                and viewer.user_id in event.audience
                and (conversation_id is None or event.conversation_id == conversation_id)
            )

        async for event in ctx.services.hub.subscribe(accepts):
            assert event.message is not None
            yield Message.from_row(event.message)
