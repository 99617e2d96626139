"""Root query fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry import relay

from app.domain.errors import LimitExceeded
from app.graphql.context import Info
from app.graphql.error_types import ErrorCode, NotFoundError
from app.graphql.filter_inputs import MessageFilter, MessageOrder, order_of
from app.graphql.id_args import parse_global_id
from app.graphql.types.announcements import Announcement, load_announcement
from app.graphql.types.common import Connection
from app.graphql.types.conversations import Conversation, load_conversation
from app.graphql.types.groups import Group, load_group
from app.graphql.types.message_connection import MessageConnection, TreeView, message_connection
from app.graphql.types.messages import Message, load_message
from app.graphql.types.topics import Topic, load_topic, topic_connection
from app.graphql.types.users import User, load_user
from app.live.replay import encode_event_cursor
from app.queries import announcements as announcements_queries
from app.queries import conversations as conversations_queries
from app.queries import events as events_queries
from app.queries import groups as groups_queries
from app.queries import messages as messages_queries
from app.queries import notices as notices_queries
from app.queries import topics as topics_queries
from app.queries import users as users_queries

NODE_LOADERS: dict[str, Callable[[Info, int], Awaitable[Any]]] = {
    "User": load_user,
    "Message": load_message,
    "Conversation": load_conversation,
    "Topic": load_topic,
    "Group": load_group,
    "Announcement": load_announcement,
}

MessageResult = Annotated[Message | NotFoundError, strawberry.union("MessageResult")]


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
        row = await users_queries.user_by_username(info.context.db, info.context.viewer, username)
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
            await users_queries.users(info.context.db, info.context.viewer, search, page), User.from_row
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
        result = await conversations_queries.conversations(info.context.db, info.context.viewer, page)
        return Connection.of(result, Conversation.from_row)

    @strawberry.field
    async def message(self, info: Info, id: strawberry.ID) -> Message | None:
        pk = _id_of(id, "Message")
        return await load_message(info, pk) if pk is not None else None

    @strawberry.field(description="A topic by path, if the viewer may read it.")
    async def topic(self, info: Info, path: str) -> Topic | None:
        found = await topics_queries.topic(info.context.db, info.context.viewer, path)
        return Topic.from_row(*found) if found else None

    @strawberry.field(description="Topics the viewer may read, under a path (all when omitted), by path.")
    async def topics(
        self, info: Info, under: str | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Topic]:
        page = info.context.page(first=first, after=after)
        return await topic_connection(
            info, await topics_queries.topics(info.context.db, info.context.viewer, under, page)
        )

    @strawberry.field(
        description="Messages the viewer may read that match the filter (newest first by default)."
    )
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
        page = info.context.page(first=first, after=after, last=last, before=before)
        spec = (filter or MessageFilter()).to_spec()
        return await message_connection(info, spec, order_of(order_by), page, tree_view)

    @strawberry.field(
        description="The current resume point of the event stream: the cursor of the latest event, "
        "as `messageEvents(after:)` takes it. Read in the same snapshot as the rest of this query, so "
        "load a page together with `eventCursor`, then subscribe with `after: eventCursor`: every "
        "change after the page arrives, nothing before it, nothing twice."
    )
    async def event_cursor(self, info: Info) -> str:
        return encode_event_cursor(await events_queries.event_position(info.context.db))

    @strawberry.field(description="How many messages match (Tat's onlyCount).")
    async def message_count(self, info: Info, filter: MessageFilter | None = None) -> int:
        spec = (filter or MessageFilter()).to_spec()
        return await messages_queries.message_count(info.context.db, info.context.viewer, spec)

    @strawberry.field(description="The viewer's task list, newest first.")
    async def tasks(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MessageConnection:
        page = info.context.page(first=first, after=after)
        result = await messages_queries.tasks(info.context.db, info.context.viewer, page)
        return MessageConnection.of(result)

    @strawberry.field(
        description="One entry per id, in order: the Message, or a NotFoundError naming the id "
        "(also for messages the viewer may not read, and for malformed ids)."
    )
    async def messages_by_ids(self, info: Info, ids: list[strawberry.ID]) -> list[MessageResult]:
        cap = info.context.settings.max_bulk_items
        if len(ids) > cap:
            raise LimitExceeded(f"At most {cap} ids at once.", limit=cap, field="ids")
        wanted = {i: _id_of(i, "Message") for i in ids}
        found = await messages_queries.messages_by_ids(
            info.context.db, info.context.viewer, [pk for pk in wanted.values() if pk is not None]
        )

        def entry(given: strawberry.ID) -> MessageResult:
            pk = wanted[given]
            row = found.get(pk) if pk is not None else None
            if row is None:
                return NotFoundError(
                    code=ErrorCode.NOT_FOUND, message=f"Message {given} not found.", ids=[given]
                )
            return Message.from_row(row)

        return [entry(i) for i in ids]

    @strawberry.field(description="The viewer's inbox notices, newest first.")
    async def inbox(
        self, info: Info, unread_only: bool = False, first: int | None = None, after: str | None = None
    ) -> MessageConnection:
        page = info.context.page(first=first, after=after)
        result = await notices_queries.inbox(
            info.context.db, info.context.viewer, unread_only=unread_only, page=page
        )
        return MessageConnection.of(result)

    @strawberry.field(
        description="How many inbox notices the viewer has not read (what inbox(unreadOnly: true) lists): "
        "the badge. The inboxUnreadCount subscription pushes it when it changes."
    )
    async def inbox_unread_count(self, info: Info) -> int:
        return await notices_queries.inbox_unread_count(info.context.db, info.context.viewer)

    @strawberry.field(description="The notices the viewer sent, newest first (with their recipients).")
    async def sent_notices(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MessageConnection:
        ctx = info.context
        result = await notices_queries.sent_notices(ctx.db, ctx.viewer, ctx.page(first=first, after=after))
        for row in result.items:
            ctx.loaders.prime_message(row)
        return MessageConnection.of(
            result, count=lambda: notices_queries.sent_notice_count(ctx.db, ctx.viewer)
        )

    @strawberry.field(
        description="Active announcements addressed to the viewer's groups, newest first; with "
        "`managed: true`, the ones the viewer may manage instead (owned by them or one of their "
        "groups; every one for admins), whatever their window and audience."
    )
    async def announcements(
        self,
        info: Info,
        pending_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        managed: bool = False,
    ) -> Connection[Announcement]:
        page = info.context.page(first=first, after=after)
        result = await announcements_queries.announcements(
            info.context.db, info.context.viewer, pending_only=pending_only, page=page, managed=managed
        )
        return Connection.of(result, Announcement.from_row)

    @strawberry.field
    async def group(self, info: Info, name: str) -> Group | None:
        row = await groups_queries.group_by_name(info.context.db, info.context.viewer, name)
        return Group.from_row(row) if row else None

    @strawberry.field
    async def groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Group]:
        page = info.context.page(first=first, after=after)
        return Connection.of(
            await groups_queries.groups(info.context.db, info.context.viewer, page), Group.from_row
        )
