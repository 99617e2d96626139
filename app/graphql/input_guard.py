"""Values no database can store never reach the resolvers (`app/graphql/unstorable.py`).

JSON can carry a lone UTF-16 surrogate (`"x\\ud800y"`), a NUL character or NaN. Every argument
of every field passes one check before its resolver runs: a field whose result union has
`InvalidInputError` returns it, any other field fails with a top-level INVALID_INPUT error; both
name the argument. In the document itself graphql-core's lexer already refuses such a string
(see `name_lone_surrogate`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    default_field_resolver,
)

from app.domain.errors import InvalidInput
from app.graphql.error_types import ErrorCode, InvalidInputError
from app.graphql.unstorable import unstorable, unstorable_message


def check_arguments(arguments: dict[str, Any]) -> InvalidInput | None:
    for name, value in arguments.items():
        hit = unstorable(value, name)
        if hit:
            return InvalidInput(unstorable_message(*hit), field=hit[0])
    return None


def _has_typed_invalid_input(output_type: Any) -> bool:
    if isinstance(output_type, GraphQLNonNull):
        output_type = output_type.of_type
    return isinstance(output_type, GraphQLUnionType) and any(
        t.name == "InvalidInputError" for t in output_type.types
    )


def _guarded(resolve: Callable[..., Any], *, typed: bool) -> Callable[..., Any]:
    @functools.wraps(resolve)
    def guarded(source: Any, info: Any, **arguments: Any) -> Any:
        problem = check_arguments(arguments) if arguments else None
        if problem is None:
            return resolve(source, info, **arguments)
        if typed:
            return InvalidInputError(
                code=ErrorCode.INVALID_INPUT, message=problem.message, field=problem.field
            )
        raise problem

    return guarded


def guard_arguments(schema: GraphQLSchema) -> None:
    """Wrap the resolver of every field that takes arguments (subscriptions: their source)."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            if not field.args:
                continue
            if field.subscribe is not None:
                field.subscribe = _guarded(field.subscribe, typed=False)
            else:
                typed = _has_typed_invalid_input(field.type)  # a list of unions fails as a whole
                field.resolve = _guarded(field.resolve or default_field_resolver, typed=typed)
