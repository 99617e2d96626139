"""Plain resolvers on object types are called directly (app.graphql.fast_resolvers); others keep
strawberry's chain. What they answer is covered by every other test; this checks the choice."""

from __future__ import annotations

from graphql import GraphQLObjectType

from app.graphql.schema import build_schema
from tests.conftest import make_settings


def _resolver_name(schema: object, type_name: str, field_name: str) -> str:
    graphql_type = schema._schema.type_map[type_name]  # type: ignore[attr-defined]
    assert isinstance(graphql_type, GraphQLObjectType)
    resolve = graphql_type.fields[field_name].resolve
    return getattr(resolve, "__name__", "")


def test_hot_fields_of_a_message_page_are_called_directly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema(make_settings(tmp_path))
    for type_name, field_name in [
        ("Message", "id"),
        ("Message", "text"),  # takes `locale: String`: a plain argument
        ("Message", "author"),
        ("Message", "reactions"),
        ("ReactionGroup", "users"),
    ]:
        assert _resolver_name(schema, type_name, field_name).startswith("direct_"), (type_name, field_name)


def test_root_fields_and_fields_with_input_objects_keep_strawberrys_resolver(tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema(make_settings(tmp_path))
    assert not _resolver_name(schema, "Query", "message").startswith("direct_")
    # `messages(filter: MessageFilter)` takes an input object: strawberry converts it
    assert not _resolver_name(schema, "Topic", "messages").startswith("direct_")
