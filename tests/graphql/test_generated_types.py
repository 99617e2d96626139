"""The GraphQL types generated from the domain: the event kind enums and the MessageFilter input."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, get_named_type

from app.core.settings import Settings
from app.domain.errors import InvalidInput
from app.domain.event_kinds import ANNOUNCEMENT_KINDS, MESSAGE_KINDS, EventKind
from app.domain.global_ids import to_global_id
from app.domain.windows import RelativeWindow as Window
from app.filters import MessageFilterSpec
from app.filters.spec import camel
from app.graphql.filter_inputs import FILTER_FIELD_DOCS, MessageFilter, RelativeWindow, TimeAnchor
from app.graphql.schema import build_schema


@pytest.fixture(scope="module")
def graphql_types() -> dict[str, Any]:
    return dict(build_schema(Settings())._schema.type_map)


def test_every_kind_is_stored_by_its_name_in_exactly_one_family() -> None:
    assert all(k.name == k.value for k in EventKind)
    assert sorted(MESSAGE_KINDS + ANNOUNCEMENT_KINDS) == sorted(EventKind)
    assert not set(MESSAGE_KINDS) & set(ANNOUNCEMENT_KINDS)


def test_the_graphql_enums_are_the_two_families_in_order(graphql_types: dict[str, Any]) -> None:
    for name, family in (("MessageEventKind", MESSAGE_KINDS), ("AnnouncementEventKind", ANNOUNCEMENT_KINDS)):
        enum = graphql_types[name]
        assert isinstance(enum, GraphQLEnumType)
        assert list(enum.values) == [k.name for k in family], name


def test_the_filter_input_has_the_spec_fields_in_order(graphql_types: dict[str, Any]) -> None:
    graphql_filter = graphql_types["MessageFilter"]
    assert isinstance(graphql_filter, GraphQLInputObjectType)
    assert list(graphql_filter.fields) == [camel(f.name) for f in fields(MessageFilterSpec)]
    for f in fields(MessageFilterSpec):
        field = graphql_filter.fields[camel(f.name)]
        assert not isinstance(field.type, GraphQLNonNull), f.name  # every filter field is optional
        is_list = isinstance(field.type, GraphQLList)
        assert is_list == str(f.type).startswith("tuple"), f.name
        if FILTER_FIELD_DOCS.get(f.name) and FILTER_FIELD_DOCS[f.name].node:
            assert get_named_type(field.type).name == "ID", f.name


def test_to_spec_converts_every_field() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    message, conversation = to_global_id("Message", 7), to_global_id("Conversation", 9)
    given: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for f in fields(MessageFilterSpec):
        kind = str(f.type)
        if f.name == "ids":
            given[f.name], expected[f.name] = [message, to_global_id("Message", 8)], (7, 8)
        elif f.name == "conversation":
            given[f.name], expected[f.name] = conversation, 9
        elif f.name in ("in_reply_to", "root"):
            given[f.name], expected[f.name] = message, 7
        elif kind.startswith("tuple"):
            given[f.name], expected[f.name] = ["a", "b"], ("a", "b")
        elif kind.startswith("datetime"):
            given[f.name] = expected[f.name] = at
        elif kind.startswith("bool"):
            given[f.name] = expected[f.name] = True
        elif kind.startswith("int"):
            given[f.name] = expected[f.name] = 3
        elif kind.startswith("str"):
            given[f.name] = expected[f.name] = "word"
        elif kind.startswith("RelativeWindow"):
            given[f.name] = RelativeWindow(anchor=TimeAnchor.START_OF_DAY, from_offset_seconds=-60)
            expected[f.name] = Window("START_OF_DAY", -60, None)
        else:
            raise AssertionError(f"no sample for {f.name}: {kind}")
    assert MessageFilter(**given).to_spec() == MessageFilterSpec(**expected)
    assert MessageFilter().to_spec() == MessageFilterSpec()
    assert MessageFilter(topic="a/b").to_spec(topic="c").topic == "c"


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("ids", [to_global_id("Topic", 1)], "filter.ids"),
        ("conversation", to_global_id("Message", 1), "filter.conversation"),
        ("in_reply_to", "nonsense", "filter.inReplyTo"),
        ("root", to_global_id("User", 1), "filter.root"),
    ],
)
def test_an_id_of_the_wrong_type_names_its_field(name: str, value: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        MessageFilter(**{name: value}).to_spec()
    assert raised.value.field == field
