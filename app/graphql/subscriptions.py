"""Live subscriptions over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app import queries
from app.access import require_viewer
from app.events import EventKind
from app.filters import matches
from app.graphql.context import Info
from app.graphql.filters import MessageFilter
from app.graphql.types.announcements import Announcement, load_announcement
from app.graphql.types.messages import Message
from app.live_events import LiveEvent
from app.models import utcnow


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="New messages the viewer may read that match the filter: exactly those "
        "`messages(filter)` would return at that moment."
    )
    async def message_added(
        self, info: Info, filter: MessageFilter | None = None
    ) -> AsyncGenerator[Message, None]:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        spec = (filter or MessageFilter()).to_spec()
        await queries.check_filter(ctx.db, viewer, spec)

        def accepts(event: LiveEvent) -> bool:
            return (
                event.kind == EventKind.ADDED
                and event.message_id is not None
                and event.facts is not None
                and event.readable_by(viewer)
                and matches(spec, event.facts, viewer, utcnow())
            )

        async for event in ctx.services.hub.subscribe(accepts):
            assert event.message is not None
            yield Message.from_row(event.message)

    @strawberry.subscription(description="New and updated announcements addressed to the viewer's groups.")
    async def announcement_published(self, info: Info) -> AsyncGenerator[Announcement, None]:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)

        def accepts(event: LiveEvent) -> bool:
            return event.kind == "PUBLISHED" and event.readable_by(viewer)

        async for event in ctx.services.hub.subscribe(accepts):
            assert event.announcement_id is not None
            found = await load_announcement(info, event.announcement_id)
            if found is not None:
                yield found
