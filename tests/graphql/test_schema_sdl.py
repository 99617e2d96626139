"""schema.graphql is exported from code: fail when it is stale; it covers the contract names it claims."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLInterfaceType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    parse,
    validate,
)

from app.core.settings import Settings
from app.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_matches_the_code() -> None:
    exported = build_schema(Settings()).as_str() + "\n"
    on_disk = (ROOT / "schema.graphql").read_text()
    assert on_disk == exported, "schema.graphql is stale: run scripts/export-schema and commit it"


def test_error_interface_and_codes_follow_the_contract() -> None:
    sdl = (ROOT / "schema.graphql").read_text()
    assert "interface Error {\n  code: ErrorCode!\n  message: String!\n}" in sdl
    for code in (
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "INVALID_INPUT",
        "CONFLICT",
        "AMBIGUOUS_REFERENCE",
        "OWNER_MISMATCH",
        "LIMIT_EXCEEDED",
        "RATE_LIMITED",
        "CURSOR_EXPIRED",
    ):
        assert f"  {code}\n" in sdl


def _conflicts(schema: GraphQLSchema) -> list[str]:
    error = schema.get_type("Error")
    assert isinstance(error, GraphQLInterfaceType)
    found = []
    for union in (t for t in schema.type_map.values() if isinstance(t, GraphQLUnionType)):
        seen: dict[str, tuple[str, str]] = {}
        for owner, fields in [(m.name, m.fields) for m in union.types] + [("Error", error.fields)]:
            for name, field in fields.items():
                shape = str(field.type)
                if name in seen and seen[name][1] != shape:
                    found.append(
                        f"{union.name}: {seen[name][0]}.{name} {seen[name][1]} vs {owner}.{name} {shape}"
                    )
                seen.setdefault(name, (owner, shape))
    return found


def test_every_result_union_is_selectable_without_aliases() -> None:
    schema = build_schema(Settings())._schema
    assert _conflicts(schema) == []
    # The rule itself: a union whose members disagree on a field is caught.
    bad = build_ast_schema(
        parse(
            "interface Error { code: Int! message: String! } type A { message: Int } "
            "type E implements Error { code: Int! message: String! } union U = A | E "
            "type Query { u: U }"
        )
    )
    assert _conflicts(bad) == [
        "U: A.message Int vs E.message String!",
        "U: A.message Int vs Error.message String!",
    ]


def test_documents_that_select_union_members_plainly_validate() -> None:
    schema = build_schema(Settings())._schema
    documents = [
        'mutation { sendNotice(input: {text: "x"}) { ... on SendNoticeSuccess { notice { id } recipientCount }'
        " ... on Error { code message } } }",
        '{ messagesByIds(ids: ["1"]) { ... on Message { id text } ... on NotFoundError { code message ids } } }',
        'mutation { sendMessage(input: {topic: "/a", text: "x"}) { ... on Message { id text }'
        " ... on Error { code message } ... on InvalidInputError { field } ... on LimitExceededError { limit field } } }",
        'mutation { labelMessage(input: {ref: {id: "1"}}) { ... on LabelMessageSuccess { labeled { id } created }'
        " ... on Error { code message } } }",
    ]
    for document in documents:
        assert validate(schema, parse(document)) == [], document
