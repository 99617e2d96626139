"""Running a row of the matrix and reading its outcome; the schema coverage a set of rows reaches.

A read's outcome is what the viewer got: the world keys of every `id` in the response (sorted)
and every count aliased `n`, `n2` ..., or the error codes when the request failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from app.core.settings import Settings
from app.graphql.schema import build_schema as build_app_schema
from tests.authz.world import World

PLACEHOLDER = re.compile(r"<<([a-z_:-]+)>>")
COUNT_ALIAS = re.compile(r"n\d*")  # counts are aliased n, n2, n3 ...


@dataclass(frozen=True)
class Read:
    """One read path: a document (`<<key>>` stands for a world object's id; `$messages`, `$nodes`
    are bound to the world's message ids and all its ids) and what each role must get back."""

    name: str
    document: str
    expect: Callable[[str], Any]

    def __str__(self) -> str:
        return self.name


def fill(document: str, world: World) -> str:
    return PLACEHOLDER.sub(lambda m: world.ids[m.group(1)], document)


def outcome(body: dict[str, Any], world: World) -> Any:
    """('ids', sorted world keys, counts) or ('error', codes)."""
    if body.get("errors"):
        return ("error", sorted({(e.get("extensions") or {}).get("code", "?") for e in body["errors"]}))
    ids: set[str] = set()
    counts: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "id" and isinstance(item, str):
                    ids.add(world.key_of(item))
                elif COUNT_ALIAS.fullmatch(key):
                    counts.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body["data"])
    return ("ids", sorted(ids), counts)


def ids(keys: Iterable[str], *, total: bool = False, n: list[int] | None = None) -> Any:
    """The outcome of a read that returns exactly `keys` (with `total`, their count as its
    totalCount; `n`, the counts it returns)."""
    found = sorted(keys)
    return ("ids", found, [len(found)] if total else (n or []))


def counts(*values: int) -> Any:
    """The outcome of a read that returns only counts."""
    return ("ids", [], list(values))


def error(*codes: str) -> Any:
    return ("error", sorted(codes))


def selected_fields(schema: GraphQLSchema, documents: Iterable[str]) -> set[tuple[str, str]]:
    """Every (type, field) a set of documents selects, with placeholders left in place."""
    found: set[tuple[str, str]] = set()
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                found.add((parent.name, node.name.value))

    for document in documents:
        visit(parse(document), TypeInfoVisitor(type_info, Collect()))
    return found


def live_schema(settings: Settings) -> GraphQLSchema:
    """The schema the server serves (graphql-core's form of the strawberry schema)."""
    return build_app_schema(settings)._schema


def node_types(schema: GraphQLSchema) -> set[str]:
    node = schema.get_type("Node")
    return {t.name for t in schema.get_possible_types(node)} if node else set()  # type: ignore[arg-type]


def reaching_fields(schema: GraphQLSchema) -> set[tuple[str, str]]:
    """Fields that reach objects or count them: every root field, and every field of a Node type
    that returns a connection or a count (an Int named ...Count)."""
    out: set[tuple[str, str]] = set()
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        if root is not None:
            out |= {(root.name, f) for f in root.fields}
    for name in node_types(schema):
        owner = schema.get_type(name)
        assert isinstance(owner, GraphQLObjectType)
        for field_name, definition in owner.fields.items():
            named = get_named_type(definition.type)
            if named.name.endswith("Connection") or (
                named.name == "Int" and field_name.endswith("Count") and _scalar(definition.type)
            ):
                out.add((name, field_name))
    return out


def _scalar(kind: Any) -> bool:
    return not isinstance(kind.of_type if isinstance(kind, GraphQLNonNull) else kind, GraphQLList)
