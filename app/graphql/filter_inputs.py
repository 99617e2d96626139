"""The MessageFilter input, generated from MessageFilterSpec (app.filters.spec), and MessageOrder.

A filter field is added in one place, the spec; this module only says how GraphQL shows it when the
default would not do: its description, and for ids which node type they name. The GraphQL type and
the conversion back follow from the spec's type: tuples are lists, ints naming a node are global IDs,
a RelativeWindow is the RelativeWindow input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

import strawberry

from app.domain.windows import RelativeWindow as Window
from app.filters import MessageFilterSpec
from app.filters.spec import camel
from app.graphql.id_args import expect_id


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


@dataclass(frozen=True)
class FilterFieldDoc:
    """How GraphQL shows one spec field, beyond its name and type."""

    description: str | None = None
    node: str | None = None  # the field holds ids of this node type: global IDs in GraphQL


FILTER_FIELD_DOCS: dict[str, FilterFieldDoc] = {
    "ids": FilterFieldDoc(node="Message"),
    "conversation": FilterFieldDoc(node="Conversation"),
    "topic": FilterFieldDoc("Exact topic path."),
    "topic_under": FilterFieldDoc("A path and all its descendants."),
    "authors": FilterFieldDoc("Usernames (any)."),
    "tags": FilterFieldDoc("Any of these tags."),
    "labels": FilterFieldDoc("Any of these labels."),
    "in_reply_to": FilterFieldDoc(node="Message"),
    "root": FilterFieldDoc("The whole thread under a root.", node="Message"),
    "unread": FilterFieldDoc("Relative to the viewer."),
    "tasks": FilterFieldDoc("In the viewer's task list."),
    "text": FilterFieldDoc("Full-text search: every word must start a word of the text."),
    "text_contains": FilterFieldDoc(
        "Substring search: the text contains this, inside words too ('isk' finds 'disk'), "
        "case-insensitive, accents significant, `%` and `_` literal. At least 3 characters "
        "(it is answered from a trigram index)."
    ),
}

Convert = Callable[[Any], Any]


def graphql_field(name: str, spec_type: Any) -> tuple[Any, Convert]:
    """The GraphQL type of a spec field (`X | None`) and how to turn its input value into the spec's."""
    present = [t for t in get_args(spec_type) if t is not type(None)]
    inner = present[0] if len(present) == 1 else spec_type
    node = FILTER_FIELD_DOCS.get(name, FilterFieldDoc()).node
    where = f"filter.{camel(name)}"
    if get_origin(inner) is tuple:
        item, _ = get_args(inner)
        if node is not None and item is int:
            return list[strawberry.ID], lambda v: tuple(expect_id(i, node, field=where) for i in v)
        return list[item], tuple  # type: ignore[valid-type]
    if node is not None and inner is int:
        return strawberry.ID, lambda v: expect_id(v, node, field=where)
    if inner is Window:
        return RelativeWindow, lambda v: v.to_window()
    return inner, lambda v: v


class MessageFilterInput:
    """What the generated MessageFilter adds to its fields: the one way back to the spec."""

    def __init__(self, **given: Any) -> None: ...  # for mypy; strawberry writes the real one

    def to_spec(self, *, topic: str | None = None) -> MessageFilterSpec:
        values = {
            name: None if (value := getattr(self, name)) is None else convert(value)
            for name, convert in _CONVERTERS.items()
        }
        if topic is not None:
            values["topic"] = topic
        return MessageFilterSpec(**values)


def message_filter_input() -> tuple[type[MessageFilterInput], dict[str, Convert]]:
    hints = get_type_hints(MessageFilterSpec)
    names = [f.name for f in fields(MessageFilterSpec)]
    unknown = set(FILTER_FIELD_DOCS) - set(names)
    assert not unknown, f"FILTER_FIELD_DOCS names fields the spec does not have: {unknown}"
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    converters: dict[str, Convert] = {}
    for name in names:
        graphql_type, converters[name] = graphql_field(name, hints[name])
        annotations[name] = graphql_type | None
        doc = FILTER_FIELD_DOCS.get(name, FilterFieldDoc()).description
        namespace[name] = strawberry.field(default=None, description=doc)
    cls = type("MessageFilter", (MessageFilterInput,), namespace)
    described = strawberry.input(
        description="One filter language for queries, counts, bulk mutations and subscriptions. "
        "Fields combine with AND; list fields as their names say."
    )
    return described(cls), converters


if TYPE_CHECKING:
    MessageFilter = MessageFilterInput
    _CONVERTERS: dict[str, Convert]
else:
    MessageFilter, _CONVERTERS = message_filter_input()


def order_of(order_by: list[MessageOrder] | None) -> list[tuple[str, bool]]:
    return [(o.field.value, o.direction == OrderDirection.DESC) for o in order_by or []]
