"""Call plain resolvers directly from graphql-core.

Strawberry runs every resolver through a chain built for the general case: a new `Info`, argument
conversion, field extensions, exception handlers, then `StrawberryField.get_result` and
`StrawberryResolver.__call__`. For a page of 50 messages that chain runs for every `id`, `text`,
`author`, `reactions` and `users` of every item, and it was about a fifth of the request's CPU
(py-spy, docs/architecture.md).

A field whose resolver needs none of it (no field extensions or permissions, no exception handler
that applies to its type, arguments that are built-in scalars) gets a resolver that builds the
`Info` and calls the function itself. What the resolver sees is unchanged: the same `Info` class,
`self` or `root`, and its keyword arguments under their Python names with their Python defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry import Schema
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.scalar import ScalarWrapper

_PLAIN_ARGUMENT_TYPES: tuple[object, ...] = (str, int, float, bool, strawberry.ID)


def _plain_argument(annotation: object) -> bool:
    if isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation in _PLAIN_ARGUMENT_TYPES and not isinstance(annotation, ScalarWrapper)


def _direct_resolver(schema: Schema, field: StrawberryField) -> Callable[..., Any] | None:
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.permission_classes or field.directives:
        return None
    if schema.schema_converter._get_field_exception_handlers(field):
        return None
    if not all(_plain_argument(argument.type) for argument in field.arguments):
        return None
    if resolver.parent_parameter is not None or not (resolver.self_parameter or resolver.root_parameter):
        return None
    if isinstance(resolver.wrapped_func, (classmethod, staticmethod)):
        return None
    function: Callable[..., Any] = resolver.wrapped_func
    graphql_name = schema.config.name_converter.get_graphql_name
    names = {graphql_name(argument): argument.python_name for argument in field.arguments}
    root = resolver.root_parameter.name if resolver.root_parameter is not None else None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    info_class = schema.config.info_class

    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        keywords = {names.get(name, name): value for name, value in arguments.items()} if arguments else {}
        if info_name is not None:
            keywords[info_name] = info_class(_raw_info=info, _field=field)
        if root is not None:
            keywords[root] = source
            return function(**keywords)
        return function(source, **keywords)

    resolve.__name__ = f"direct_{field.python_name}"
    resolve.direct_field = field  # type: ignore[attr-defined]  # app.graphql.fast_execution reads it
    return resolve


def call_resolvers_directly(schema: Schema) -> int:
    """Install direct resolvers where they fit; returns how many fields got one."""
    installed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        if graphql_type.name in ("Query", "Mutation", "Subscription"):
            continue  # root fields run once per request: nothing to gain, and keep them stock
        for graphql_field in graphql_type.fields.values():
            field = graphql_field.extensions.get("strawberry-definition")
            if not isinstance(field, StrawberryField):
                continue
            direct = _direct_resolver(schema, field)
            if direct is not None:
                graphql_field.resolve = direct
                installed += 1
    return installed
