"""The MessageFilter and MessageOrder inputs, and the connection they choose."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import Enum

import strawberry

from app.domain.pagination import PageRequest
from app.domain.windows import RelativeWindow as Window
from app.filters import MessageFilterSpec
from app.graphql.context import Info
from app.graphql.id_args import expect_id
from app.graphql.types.messages import MessageConnection
from app.queries import messages as messages_queries


@strawberry.enum
class MessageOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    TEXT = "TEXT"
    TOPIC = "TOPIC"
    AUTHOR = "AUTHOR"
    LIKES = "LIKES"
    VOTES_UP = "VOTES_UP"
    VOTES_DOWN = "VOTES_DOWN"
    REPLIES = "REPLIES"
    LABELS = "LABELS"
    TAGS = "TAGS"
    RELEVANCE = "RELEVANCE"  # with a text filter: best match first (the default order then)


@strawberry.enum
class TreeView(Enum):
    NONE = "NONE"
    ONE_TREE = "ONE_TREE"
    FULL_TREE = "FULL_TREE"


@strawberry.enum
class TimeAnchor(Enum):
    NOW = "NOW"
    START_OF_MINUTE = "START_OF_MINUTE"
    START_OF_HOUR = "START_OF_HOUR"
    START_OF_DAY = "START_OF_DAY"
    START_OF_WEEK = "START_OF_WEEK"
    START_OF_MONTH = "START_OF_MONTH"
    START_OF_QUARTER = "START_OF_QUARTER"
    START_OF_YEAR = "START_OF_YEAR"


@strawberry.input(
    description="A window relative to now or to the start of the current minute ... year "
    "(UTC; weeks start on Monday), bounds included: [anchor + fromOffsetSeconds, anchor + toOffsetSeconds]. "
    "An offset given alone leaves the other side open: only `toOffsetSeconds` means up to anchor + to "
    "(Tat's lastMax*, lastHourMax*, dateRefDeltaMax* alone), only `fromOffsetSeconds` means from "
    "anchor + from on (lastMin*, lastHourMin*, dateRefDeltaMin* alone). Without offsets a calendar "
    "anchor means 'since then' (dateRef* alone); NOW needs at least one offset."
)
class RelativeWindow:
    anchor: TimeAnchor = TimeAnchor.NOW
    from_offset_seconds: int | None = strawberry.field(
        default=None,
        description="Start = anchor + this (negative = the past); omitted: no lower bound "
        "(unless no offset is given at all, then the anchor).",
    )
    to_offset_seconds: int | None = strawberry.field(
        default=None, description="End = anchor + this (negative = the past); omitted: no upper bound."
    )

    def to_window(self) -> Window:
        return Window(self.anchor.value, self.from_offset_seconds, self.to_offset_seconds)


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class MessageOrder:
    field: MessageOrderField
    direction: OrderDirection = OrderDirection.DESC


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


@strawberry.input(
    description="One filter language for queries, counts, bulk mutations and subscriptions. "
    "Fields combine with AND; list fields as their names say."
)
class MessageFilter:
    ids: list[strawberry.ID] | None = None
    conversation: strawberry.ID | None = None
    topic: str | None = strawberry.field(default=None, description="Exact topic path.")
    topic_under: str | None = strawberry.field(default=None, description="A path and all its descendants.")
    authors: list[str] | None = strawberry.field(default=None, description="Usernames (any).")
    tags: list[str] | None = strawberry.field(default=None, description="Any of these tags.")
    all_tags: list[str] | None = None
    not_tags: list[str] | None = None
    tag_prefixes: list[str] | None = None
    labels: list[str] | None = strawberry.field(default=None, description="Any of these labels.")
    all_labels: list[str] | None = None
    not_labels: list[str] | None = None
    label_prefixes: list[str] | None = None
    in_reply_to: strawberry.ID | None = None
    root: strawberry.ID | None = strawberry.field(default=None, description="The whole thread under a root.")
    only_roots: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    min_votes_up: int | None = None
    max_votes_up: int | None = None
    min_votes_down: int | None = None
    max_votes_down: int | None = None
    min_replies: int | None = None
    max_replies: int | None = None
    min_likes: int | None = None
    max_likes: int | None = None
    unread: bool | None = strawberry.field(default=None, description="Relative to the viewer.")
    tasks: bool | None = strawberry.field(default=None, description="In the viewer's task list.")
    text: str | None = strawberry.field(
        default=None, description="Full-text search: every word must start a word of the text."
    )
    text_contains: str | None = strawberry.field(
        default=None,
        description="Substring search: the text contains this, inside words too ('isk' finds 'disk'), "
        "case-insensitive, accents significant, `%` and `_` literal. At least 3 characters "
        "(it is answered from a trigram index).",
    )
    created_within: RelativeWindow | None = None
    updated_within: RelativeWindow | None = None

    def to_spec(self, *, topic: str | None = None) -> MessageFilterSpec:
        def msg(value: str | None, field: str) -> int | None:
            return expect_id(value, "Message", field=field) if value is not None else None

        spec_topic = self.topic
        if topic is not None:
            spec_topic = topic
        return MessageFilterSpec(
            ids=tuple(expect_id(i, "Message", field="filter.ids") for i in self.ids)
            if self.ids is not None
            else None,
            conversation=expect_id(self.conversation, "Conversation", field="filter.conversation")
            if self.conversation is not None
            else None,
            topic=spec_topic,
            topic_under=self.topic_under,
            authors=_tuple(self.authors),
            tags=_tuple(self.tags),
            all_tags=_tuple(self.all_tags),
            not_tags=_tuple(self.not_tags),
            tag_prefixes=_tuple(self.tag_prefixes),
            labels=_tuple(self.labels),
            all_labels=_tuple(self.all_labels),
            not_labels=_tuple(self.not_labels),
            label_prefixes=_tuple(self.label_prefixes),
            in_reply_to=msg(self.in_reply_to, "filter.inReplyTo"),
            root=msg(self.root, "filter.root"),
            only_roots=self.only_roots,
            created_after=self.created_after,
            created_before=self.created_before,
            updated_after=self.updated_after,
            updated_before=self.updated_before,
            min_votes_up=self.min_votes_up,
            max_votes_up=self.max_votes_up,
            min_votes_down=self.min_votes_down,
            max_votes_down=self.max_votes_down,
            min_replies=self.min_replies,
            max_replies=self.max_replies,
            min_likes=self.min_likes,
            max_likes=self.max_likes,
            unread=self.unread,
            tasks=self.tasks,
            text=self.text,
            text_contains=self.text_contains,
            created_within=self.created_within.to_window() if self.created_within else None,
            updated_within=self.updated_within.to_window() if self.updated_within else None,
        )


def order_of(order_by: list[MessageOrder] | None) -> list[tuple[str, bool]]:
    return [(o.field.value, o.direction == OrderDirection.DESC) for o in order_by or []]


async def message_connection(
    info: Info,
    spec: MessageFilterSpec,
    order: list[tuple[str, bool]],
    page: PageRequest,
    tree_view: TreeView = TreeView.NONE,
) -> MessageConnection:
    """The page of messages; with a tree view the filter picks roots and each edge carries its tree."""
    if tree_view != TreeView.NONE:
        spec = replace(spec, only_roots=True)
    result = await messages_queries.messages(info.context.db, info.context.viewer, spec, order, page)
    for row in result.items:
        info.context.loaders.prime_message(row)
    trees = None
    if tree_view != TreeView.NONE:
        roots = [m.id for m in result.items if m.id is not None]
        trees = await messages_queries.trees(info.context.db, roots, full=tree_view == TreeView.FULL_TREE)
    return MessageConnection.of(
        result,
        trees,
        count=lambda: messages_queries.message_count(info.context.db, info.context.viewer, spec),
    )
