"""Live subscriptions over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app import queries
from app.access import require_viewer
from app.errors import InvalidInput, NotFound
from app.events import EventKind
from app.graphql.context import Info
from app.graphql.filters import MessageFilter
from app.graphql.ids import expect_id
from app.graphql.types.messages import Message
from app.live import LiveEvent
from app.topic_paths import is_under, normalize

LIVE_FIELDS = {"conversation", "topic", "topic_under"}


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New messages the viewer may read, matching the filter.")
    async def message_added(
        self, info: Info, filter: MessageFilter | None = None
    ) -> AsyncGenerator[Message, None]:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        filter = filter or MessageFilter()
        unsupported = [k for k, v in vars(filter).items() if v is not None and k not in LIVE_FIELDS]
        if unsupported:
            raise InvalidInput(
                f"Subscriptions filter by conversation, topic and topicUnder so far, not {unsupported}.",
                field="filter",
            )
        conversation_id = None
        if filter.conversation is not None:
            conversation_id = expect_id(filter.conversation, "Conversation", field="filter.conversation")
            if await queries.conversation(ctx.db, viewer, conversation_id) is None:
                raise NotFound("Conversation not found.", id=filter.conversation)
        topic_path = under = None
        for value in (filter.topic, filter.topic_under):
            if value is not None and await queries.topic(ctx.db, viewer, value) is None:
                raise NotFound(f"Topic {value} not found.", id=value)
        if filter.topic is not None:
            topic_path = normalize(filter.topic)
        if filter.topic_under is not None:
            under = normalize(filter.topic_under)

        def accepts(event: LiveEvent) -> bool:
            if event.kind != EventKind.ADDED or event.message is None or not event.readable_by(viewer):
                return False
            if conversation_id is not None and event.conversation_id != conversation_id:
                return False
            path = event.topics[0].topic.path if event.topics else None
            if topic_path is not None and path != topic_path:
                return False
            return under is None or (path is not None and is_under(path, under))

        async for event in ctx.services.hub.subscribe(accepts):
            assert event.message is not None
            yield Message.from_row(event.message)
