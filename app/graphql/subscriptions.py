"""Live subscriptions over graphql-transport-ws: new messages, every change (resumable), counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection
from datetime import datetime

import strawberry

from app.access.places import require_viewer
from app.core.auth import Viewer
from app.domain.event_kinds import ANNOUNCEMENT_KINDS, MESSAGE_KINDS, EventKind
from app.filters import MessageFilterSpec, matches, matches_place
from app.graphql.context import Context, Info
from app.graphql.executor import shared
from app.graphql.filter_inputs import MessageFilter
from app.graphql.id_args import gid
from app.graphql.live_handoff import go_live
from app.graphql.types.announcements import Announcement, AnnouncementEvent, load_announcement
from app.graphql.types.event_kinds import AnnouncementEventKind, MessageEventKind
from app.graphql.types.messages import Message
from app.graphql.types.users import User
from app.live.event_loading import LiveEvent
from app.live.replay import Handoff, check_cursor, decode_event_cursor, encode_event_cursor, event_stream
from app.models import utcnow
from app.queries import messages as messages_queries
from app.queries import notices as notices_queries


@strawberry.type
class MessageEvent:
    cursor: str = strawberry.field(description="Resume point: pass it as `after` after a reconnect.")
    kind: MessageEventKind
    message_id: strawberry.ID
    message: Message | None = strawberry.field(description="Its current state; null once deleted.")
    actor_id: strawberry.Private[int | None]
    at: datetime

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        row = await info.context.loaders.user.load(self.actor_id) if self.actor_id is not None else None
        return User.from_row(row) if row else None


def message_predicate(
    spec: MessageFilterSpec, viewer_of: Callable[[], Viewer | None], kinds: Collection[str]
) -> Callable[[LiveEvent], bool]:
    """Readable by the viewer and matching the filter before or after the change (so a change that
    makes a message stop matching still reaches who watched it); a deleted message is matched by
    its place.

    The viewer is read per event: a websocket re-reads its user now and then (app.graphql.view),
    so a group left or a right withdrawn applies to subscriptions already open."""

    def accepts(event: LiveEvent) -> bool:
        viewer = viewer_of()
        if event.kind not in kinds or event.message_id is None or not event.readable_by(viewer):
            return False
        if event.facts is None:
            return event.kind == EventKind.DELETED and matches_place(
                spec, event.conversation_id, event.topic_path
            )
        now = utcnow()
        if event.readable_where(viewer, before=False) and matches(spec, event.facts, viewer, now):
            return True
        if event.facts_before is not None:
            return event.readable_where(viewer, before=True) and matches(
                spec, event.facts_before, viewer, now
            )
        # an event logged without what it replaced: a move still reaches who watched where it was
        return event.kind == EventKind.MOVED and any(
            matches_place(spec, None, t.topic.path) for t in event.topics[1:]
        )

    return accepts


def added_message(event: LiveEvent) -> Message | None:
    """What messageAdded gives for an event (the resolver's, and direct delivery's)."""
    if event.message is None:
        return None
    return Message.from_row(event.message, translations=event.translations, author=event.author)


def message_event(event: LiveEvent) -> MessageEvent:
    """What messageEvents gives for an event."""
    assert event.message_id is not None
    return MessageEvent(
        cursor=encode_event_cursor(event.position),
        kind=MessageEventKind(event.kind),
        message_id=gid("Message", event.message_id),
        message=added_message(event),
        actor_id=event.actor_id,
        at=event.at,
    )


async def pushed_counts(
    ctx: Context, recount: Callable[[], Awaitable[int]], touches: Callable[[LiveEvent], bool]
) -> AsyncGenerator[int, None]:
    """The count now, then again after each burst of events that may change it, when it did."""
    changed = asyncio.Event()

    def wake(event: LiveEvent) -> bool:
        if touches(event):
            changed.set()
        return False  # nothing queued: the count is re-read instead

    subscription = ctx.services.hub.subscribe(wake)  # before the first count: no change slips by
    try:
        current = await recount()
        yield current
        while True:
            await changed.wait()
            await asyncio.sleep(0.05)  # let a burst of changes settle into one recount
            changed.clear()
            count = await recount()
            if count != current:
                current = count
                yield count
    finally:
        subscription.close()


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
        viewer = ctx.viewer  # anonymous: public read-only topics only
        spec = (filter or MessageFilter()).to_spec()
        del filter  # a long-lived subscription keeps the spec only
        async with ctx.services.hub.setups:
            await messages_queries.check_filter(ctx.db, viewer, spec)
        accepts = message_predicate(spec, lambda: ctx.viewer, (EventKind.ADDED,))
        stream = event_stream(ctx.db, ctx.services.hub, accepts, after=None, hand_off=ctx.live_handoff)
        async for event in stream:
            if isinstance(event, Handoff):
                yield go_live(event, added_message, str(info.path.key))
                return
            message = added_message(event)
            if message is not None:
                yield shared(event.position, message)  # executed once per operation and viewer

    @strawberry.subscription(
        description="Every change to messages matching the filter, in log order. Pass the last `cursor` as "
        "`after` to replay what happened since, then continue live: nothing lost, nothing twice."
    )
    async def message_events(
        self, info: Info, filter: MessageFilter | None = None, after: str | None = None
    ) -> AsyncGenerator[MessageEvent, None]:
        ctx = info.context
        viewer = ctx.viewer  # anonymous: public read-only topics only
        spec = (filter or MessageFilter()).to_spec()
        del filter  # a long-lived subscription keeps the spec only
        position = decode_event_cursor(after) if after is not None else None
        async with ctx.services.hub.setups:
            await messages_queries.check_filter(ctx.db, viewer, spec)
            if position is not None:
                await check_cursor(ctx.db, position)
        accepts = message_predicate(spec, lambda: ctx.viewer, MESSAGE_KINDS)
        stream = event_stream(ctx.db, ctx.services.hub, accepts, after=position, hand_off=ctx.live_handoff)
        async for event in stream:
            if isinstance(event, Handoff):
                yield go_live(event, message_event, str(info.path.key))
                return
            yield shared(event.position, message_event(event))

    @strawberry.subscription(
        description="The number of messages matching the filter, pushed when it changes."
    )
    async def message_count(
        self, info: Info, filter: MessageFilter | None = None
    ) -> AsyncGenerator[int, None]:
        ctx = info.context  # anonymous: public read-only topics only
        spec = (filter or MessageFilter()).to_spec()
        del filter  # a long-lived subscription keeps the spec only

        def touches(event: LiveEvent) -> bool:
            return event.message_id is not None and (
                event.readable_by(ctx.viewer) or event.kind == EventKind.DELETED
            )

        recount = lambda: messages_queries.message_count(ctx.db, ctx.viewer, spec)  # noqa: E731
        async for count in pushed_counts(ctx, recount, touches):
            yield count

    @strawberry.subscription(
        description="The viewer's unread inbox count (Query.inboxUnreadCount), pushed when it changes."
    )
    async def inbox_unread_count(self, info: Info) -> AsyncGenerator[int, None]:
        ctx = info.context
        require_viewer(ctx.viewer)

        def touches(event: LiveEvent) -> bool:  # a notice sent to, read by or deleted for the viewer
            notice = event.conversation_id is None and not event.topics and event.announcement_id is None
            return notice and event.message_id is not None and event.readable_by(ctx.viewer)

        async for count in pushed_counts(
            ctx, lambda: notices_queries.inbox_unread_count(ctx.db, ctx.viewer), touches
        ):
            yield count

    @strawberry.subscription(
        description="New announcements and new versions, for their audience, their owner and admins."
    )
    async def announcement_published(self, info: Info) -> AsyncGenerator[Announcement, None]:
        ctx = info.context
        require_viewer(ctx.viewer)

        def accepts(event: LiveEvent) -> bool:
            return event.kind == EventKind.PUBLISHED and event.readable_by(ctx.viewer)

        async for event in event_stream(ctx.db, ctx.services.hub, accepts, after=None):
            assert event.announcement_id is not None
            found = await load_announcement(info, event.announcement_id)
            if found is not None:
                yield found

    @strawberry.subscription(
        description="Announcements published (each new version) and withdrawn, for whoever may see "
        "them: their audience, their owner and admins. Pass the last `cursor` as `after` to resume."
    )
    async def announcement_events(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[AnnouncementEvent, None]:
        ctx = info.context
        require_viewer(ctx.viewer)
        position = decode_event_cursor(after) if after is not None else None
        if position is not None:
            await check_cursor(ctx.db, position)

        def accepts(event: LiveEvent) -> bool:
            return event.kind in ANNOUNCEMENT_KINDS and event.readable_by(ctx.viewer)

        async for event in event_stream(ctx.db, ctx.services.hub, accepts, after=position):
            assert event.announcement_id is not None
            yield AnnouncementEvent(
                cursor=encode_event_cursor(event.position),
                kind=AnnouncementEventKind(event.kind),
                announcement_id=gid("Announcement", event.announcement_id),
                version=int(event.data.get("version", 0)),
                announcement=(
                    await load_announcement(info, event.announcement_id)
                    if event.kind == EventKind.PUBLISHED
                    else None
                ),
                actor_id=event.actor_id,
                at=event.at,
            )
