"""The plan of a grouped field set: how app.graphql.fast_execution executes each of its fields.

A plan is made once per execution for each grouped field set graphql-core collects (one per
selection and object type, shared by every item of a list), so the per-field decisions (which
resolver, which return type, which arguments) are taken once and not for each of 50 messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from graphql import GraphQLField, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.type.definition import is_leaf_type
from strawberry import relay
from strawberry.types.field import StrawberryField

PLAIN: frozenset[type] = frozenset({str, int, float, bool, datetime, date})
_NODE_ID_FUNCTION = cast(classmethod, relay.Node.__dict__["_id"]).__func__

# how a field is executed
GENERAL = 0  # graphql-core's execute_field
RESOLVED = 1  # any other resolver, then the value completed (FastExecution._execute_step)
OBJECT_ATTRIBUTE = 2  # an object or list of strawberry's basic field: the same without a resolver
ATTRIBUTE = 3  # a leaf of strawberry's basic field, getattr(source, python_name): the shortcut
NODE_ID = 4  # relay's `id` on a Node with the default resolve_id and resolve_typename: the shortcut

_node_id_attributes: dict[type, str | None] = {}


def node_id_attribute(cls: type) -> str | None:
    """The attribute holding a Node's id, if the class resolves ids and type names as relay does."""
    try:
        return _node_id_attributes[cls]
    except KeyError:
        pass
    attribute = None
    if (
        issubclass(cls, relay.Node)
        and cls.resolve_id.__func__ is relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
        and cls.resolve_typename.__func__ is relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
    ):
        attribute = cls.resolve_id_attr()
    _node_id_attributes[cls] = attribute
    return attribute


class FieldStep:
    """One field of a grouped field set, as planned for this execution."""

    __slots__ = (
        "arguments",
        "attribute",
        "details",
        "field_def",
        "kind",
        "leaf_type",
        "name",
        "nodes",
        "nullable",
        "subfields",
    )

    def __init__(
        self, name: str, details: FieldDetailsList, field_def: GraphQLField | None, kind: int
    ) -> None:
        self.name = name
        self.details = details
        self.field_def = field_def
        self.kind = kind
        self.nodes = [d.node for d in details]
        self.attribute = ""
        self.leaf_type: Any = None
        self.nullable = False
        # (object type, its grouped field set, new defer usages, the set's plan)
        self.subfields: tuple[GraphQLObjectType, GroupedFieldSet, list[Any], list[FieldStep]] | None = None
        self.arguments: dict[str, Any] | None = (
            {} if field_def is not None and not field_def.args and not details[0].node.arguments else None
        )


def plain_arguments(arguments: dict[str, Any]) -> bool:
    """Arguments a resolver cannot change under the next caller: built-in scalars only."""
    return all(value is None or type(value) in PLAIN for value in arguments.values())


def plan_step(name: str, details: FieldDetailsList, field_def: GraphQLField | None) -> FieldStep:
    if field_def is None:
        return FieldStep(name, details, None, GENERAL)
    field = field_def.extensions.get("strawberry-definition")
    resolve = field_def.resolve
    basic = (
        isinstance(field, StrawberryField)
        and getattr(resolve, "_is_default", False)
        and field.default_resolver is getattr
        and not field_def.args
    )
    return_type = field_def.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    leaf_type = return_type if nullable else cast(GraphQLNonNull, return_type).of_type
    if not is_leaf_type(leaf_type):
        step = FieldStep(name, details, field_def, OBJECT_ATTRIBUTE if basic else RESOLVED)
    elif basic:
        step = FieldStep(name, details, field_def, ATTRIBUTE)
    elif (
        getattr(resolve, "direct_field", None) is field
        and isinstance(field, StrawberryField)
        and field.base_resolver is not None
        and getattr(field.base_resolver.wrapped_func, "__func__", None) is _NODE_ID_FUNCTION
    ):
        step = FieldStep(name, details, field_def, NODE_ID)
    else:
        step = FieldStep(name, details, field_def, RESOLVED)
    step.attribute = field.python_name if basic and isinstance(field, StrawberryField) else ""
    step.leaf_type = leaf_type
    step.nullable = nullable
    return step


NON_NULL, LIST, LEAF, OBJECT, OTHER = range(5)  # shapes of a return type


def null_error(parent_type: GraphQLObjectType, step: FieldStep) -> TypeError:
    field_name = step.nodes[0].name.value
    return TypeError(f"Cannot return null for non-nullable field {parent_type}.{field_name}.")


def ignores_info(is_type_of: Any) -> bool:
    """strawberry's own `is_type_of` (an isinstance check) never reads its `info`."""
    return getattr(is_type_of, "__module__", "") == "strawberry.schema.schema_converter" and getattr(
        is_type_of, "__qualname__", ""
    ).endswith("_get_is_type_of.<locals>.is_type_of")


def shape_of(return_type: Any) -> tuple[int, Any]:
    """How to complete a value of `return_type`: (shape, the wrapped type, or is_type_of)."""
    if isinstance(return_type, GraphQLNonNull):
        return NON_NULL, return_type.of_type
    if isinstance(return_type, GraphQLList):
        return LIST, return_type.of_type
    if is_leaf_type(return_type):
        return LEAF, None
    if isinstance(return_type, GraphQLObjectType) and (
        return_type.is_type_of is None or ignores_info(return_type.is_type_of)
    ):
        return OBJECT, return_type.is_type_of
    return OTHER, None


STATS = "parley_fast_execution"  # the key of the counters in GraphQLSchema.extensions
SHAPES = "parley_fast_execution_shapes"


class FastStats:
    """How often the shortcut answered a leaf and how often it handed one back: for tests."""

    def __init__(self) -> None:
        self.shortcuts = 0
        self.fallbacks = 0


def shapes_of(schema: GraphQLSchema) -> dict[int, Any]:
    """How to complete each output type of the schema, by the type's id (kept with it)."""
    shapes = schema.extensions.get(SHAPES)
    if shapes is None:
        shapes = schema.extensions[SHAPES] = {}
    return cast(dict[int, Any], shapes)


def fast_stats(schema: GraphQLSchema) -> FastStats:
    stats = schema.extensions.get(STATS)
    if stats is None:
        stats = schema.extensions[STATS] = FastStats()
    return cast(FastStats, stats)
