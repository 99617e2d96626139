"""Leaf fields without graphql-core's per-field machinery.

graphql-core executes every field the same way: a `Path`, a `GraphQLResolveInfo` (a 15-field
NamedTuple), the resolver, then `complete_value`, which walks the type (non-null, list, leaf,
abstract, object) before it coerces a scalar. For a page of 50 messages that is several hundred
fields whose value is an attribute of the parent (`createdAt`, `username`, `content`, `count`)
or the parent's global id.

`FastExecution.execute_fields` plans each grouped field set once per execution and resolves
those fields straight away: the attribute, then the scalar's own `coerce_output_value`, exactly
what strawberry's basic-field resolver and `complete_leaf_value` do. Only a plain value is taken
that way (a str, int, float, bool or datetime, or None where the type allows it); anything else
(a missing attribute, an exception value, an awaitable, a value the scalar refuses, None for a
non-null field) runs the field again through graphql-core, which raises, locates and masks the
error as before. Reading an attribute twice is harmless, so a fallback changes nothing but time.
Every other field goes through graphql-core unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Any, cast

from graphql import GraphQLField, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, Undefined
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from graphql.type.definition import is_leaf_type
from strawberry import relay
from strawberry.types.field import StrawberryField

_PLAIN: frozenset[type] = frozenset({str, int, float, bool, datetime, date})
_NODE_ID_FUNCTION = cast(classmethod, relay.Node.__dict__["_id"]).__func__

_GENERAL = 0  # graphql-core's execute_field
_RESOLVED = 1  # any other resolver: _execute_step
_OBJECT_ATTRIBUTE = 2  # an object or list of strawberry's basic field: _execute_step
_ATTRIBUTE = 3  # a leaf of strawberry's basic field, getattr(source, python_name): shortcut
_NODE_ID = 4  # relay's `id` on a Node with the default resolve_id and resolve_typename: shortcut

STATS = "parley_fast_execution"  # the key of the counters in GraphQLSchema.extensions
SHAPES = "parley_fast_execution_shapes"


class FastStats:
    """How often the shortcut answered a leaf and how often it handed one back: for tests."""

    def __init__(self) -> None:
        self.shortcuts = 0
        self.fallbacks = 0


def _shapes_of(schema: GraphQLSchema) -> dict[int, Any]:
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


_node_id_attributes: dict[type, str | None] = {}


def _node_id_attribute(cls: type) -> str | None:
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


class _Step:
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
        self.subfields: tuple[GraphQLObjectType, GroupedFieldSet, list[Any], list[_Step]] | None = None
        self.arguments: dict[str, Any] | None = (
            {} if field_def is not None and not field_def.args and not details[0].node.arguments else None
        )


def _plain_arguments(arguments: dict[str, Any]) -> bool:
    """Arguments a resolver cannot change under the next caller: built-in scalars only."""
    return all(value is None or type(value) in _PLAIN for value in arguments.values())


def _plan_step(name: str, details: FieldDetailsList, field_def: GraphQLField | None) -> _Step:
    if field_def is None:
        return _Step(name, details, None, _GENERAL)
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
        step = _Step(name, details, field_def, _OBJECT_ATTRIBUTE if basic else _RESOLVED)
    elif basic:
        step = _Step(name, details, field_def, _ATTRIBUTE)
    elif (
        getattr(resolve, "direct_field", None) is field
        and isinstance(field, StrawberryField)
        and field.base_resolver is not None
        and getattr(field.base_resolver.wrapped_func, "__func__", None) is _NODE_ID_FUNCTION
    ):
        step = _Step(name, details, field_def, _NODE_ID)
    else:
        step = _Step(name, details, field_def, _RESOLVED)
    step.attribute = field.python_name if basic and isinstance(field, StrawberryField) else ""
    step.leaf_type = leaf_type
    step.nullable = nullable
    return step


_NON_NULL, _LIST, _LEAF, _OBJECT, _OTHER = range(5)  # shapes of a return type


def _null_error(parent_type: GraphQLObjectType, step: _Step) -> TypeError:
    field_name = step.nodes[0].name.value
    return TypeError(f"Cannot return null for non-nullable field {parent_type}.{field_name}.")


_strawberry_is_type_of: dict[Any, bool] = {}


def _ignores_info(is_type_of: Any) -> bool:
    """strawberry's own `is_type_of` (an isinstance check) never reads its `info`."""
    known = _strawberry_is_type_of.get(is_type_of)
    if known is None:
        known = _strawberry_is_type_of[is_type_of] = getattr(
            is_type_of, "__module__", ""
        ) == "strawberry.schema.schema_converter" and getattr(is_type_of, "__qualname__", "").endswith(
            "_get_is_type_of.<locals>.is_type_of"
        )
    return known


class FastExecution:
    """A mixin for graphql-core's `Executor`: see the module's docstring."""

    schema: GraphQLSchema
    middleware_manager: Any
    is_awaitable: Any
    variable_values: Any
    hide_suggestions: bool
    field_resolver: Any
    _field_plans: dict[tuple[GraphQLObjectType, int], tuple[GroupedFieldSet, list[_Step]]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field_plans = {}
        self._stats = fast_stats(self.schema)
        self._shapes = _shapes_of(self.schema)

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)  # type: ignore[misc]
        if isinstance(executor, FastExecution):
            executor._field_plans = {}  # keyed by identity, like the subfield memo: per event
        return executor

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[_Step]:
        key = (parent_type, id(grouped_field_set))
        entry = self._field_plans.get(key)
        if entry is not None:
            return entry[1]
        manager = self.middleware_manager  # strawberry passes one per request, empty unless an
        shortcuts = manager is None or not manager.middlewares  # extension resolves fields
        plan = []
        for name, details in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, details[0].node.name.value)
            plan.append(_plan_step(name, details, field_def if shortcuts else None))
        self._field_plans[key] = (grouped_field_set, plan)  # the set stays alive: its id stays unique
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        return self._execute_plan(
            parent_type, source_value, path, self._plan(parent_type, grouped_field_set), position_context
        )

    def _execute_plan(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        plan: list[_Step],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        executor: Any = self
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        parent_name = parent_type.name
        shortcuts = fallbacks = 0
        try:
            for step in plan:
                kind = step.kind
                name = step.name
                if kind >= _ATTRIBUTE:
                    try:
                        if kind == _ATTRIBUTE:
                            value = getattr(source_value, step.attribute)
                        else:
                            id_attribute = _node_id_attribute(type(source_value))
                            value = (
                                relay.GlobalID(parent_name, str(getattr(source_value, id_attribute)))
                                if id_attribute is not None
                                else Undefined
                            )
                        if value is None:
                            if step.nullable:
                                results[name] = None
                                shortcuts += 1
                                continue
                        elif type(value) in _PLAIN or type(value) is relay.GlobalID:
                            coerced = step.leaf_type.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                results[name] = coerced
                                shortcuts += 1
                                continue
                    except Exception:  # noqa: BLE001, S110  graphql-core reports it below
                        pass
                    fallbacks += 1
                    result = executor.execute_field(
                        parent_type,
                        source_value,
                        step.details,
                        Path(path, name, parent_name),
                        position_context,
                    )
                elif kind:
                    result = self._execute_step(
                        parent_type, source_value, step, Path(path, name, parent_name), position_context
                    )
                else:
                    result = executor.execute_field(
                        parent_type,
                        source_value,
                        step.details,
                        Path(path, name, parent_name),
                        position_context,
                    )
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                executor.settle_in_background([results[field] for field in awaitable_fields])
            raise
        finally:
            stats = self._stats
            stats.shortcuts += shortcuts
            if fallbacks:
                stats.fallbacks += fallbacks

        if not awaitable_fields:
            return results
        return _gather_fields(results, awaitable_fields)

    def _execute_step(
        self, parent_type: GraphQLObjectType, source: Any, step: _Step, path: Path, position_context: Any
    ) -> Any:
        """graphql-core's `execute_field` for a planned field: the same calls in the same order,
        without the per-field lookups, and the info built only when something reads it."""
        field_def: Any = step.field_def
        return_type = field_def.type
        details = step.details
        executor: Any = self
        info = None
        try:
            if step.kind == _OBJECT_ATTRIBUTE:
                result = getattr(source, step.attribute)
            else:
                info = executor.build_resolve_info(field_def, step.nodes, parent_type, path)
                arguments = step.arguments
                if arguments is None:
                    arguments = get_argument_values(
                        field_def,
                        details[0].node,
                        self.variable_values,
                        details[0].fragment_variable_values,
                        self.hide_suggestions,
                    )
                    if _plain_arguments(arguments):  # the same for every item of the list
                        step.arguments = arguments
                result = (field_def.resolve or self.field_resolver)(source, info, **arguments)
            if self.is_awaitable(result):
                if info is None:
                    info = executor.build_resolve_info(field_def, step.nodes, parent_type, path)
                return executor.complete_awaitable_value(
                    return_type, details, info, path, result, position_context
                )
            completed = self._complete(
                return_type, step, parent_type, info, path, path, result, position_context
            )
            if self.is_awaitable(completed):
                return _await_field(executor, completed, return_type, details, path)
        except Exception as raw_error:
            executor.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    def _info(self, step: _Step, parent_type: GraphQLObjectType, info: Any, field_path: Path) -> Any:
        if info is None:
            executor: Any = self
            info = executor.build_resolve_info(step.field_def, step.nodes, parent_type, field_path)
        return info

    def _shape(self, return_type: Any) -> tuple[int, Any, Any]:
        """How to complete a value of `return_type`: (kind, the wrapped type or is_type_of, the type)."""
        shape = self._shapes.get(id(return_type))
        if shape is None:
            if isinstance(return_type, GraphQLNonNull):
                shape = (_NON_NULL, return_type.of_type)
            elif isinstance(return_type, GraphQLList):
                shape = (_LIST, return_type.of_type)
            elif is_leaf_type(return_type):
                shape = (_LEAF, None)
            elif isinstance(return_type, GraphQLObjectType) and (
                return_type.is_type_of is None or _ignores_info(return_type.is_type_of)
            ):
                shape = (_OBJECT, return_type.is_type_of)
            else:
                shape = (_OTHER, None)
            shape = self._shapes[id(return_type)] = (*shape, return_type)  # the type stays: its id too
        return shape

    def _complete(
        self,
        return_type: Any,
        step: _Step,
        parent_type: GraphQLObjectType,
        info: Any,
        field_path: Path,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `complete_value` for non-null, list, leaf and object types; abstract
        types, async iterables and streamed lists go to graphql-core's own."""
        if isinstance(result, Exception):
            raise result
        kind, inner, _ = self._shapes.get(id(return_type)) or self._shape(return_type)
        non_null = kind == _NON_NULL
        if non_null:
            return_type = inner
            kind, inner, _ = self._shapes.get(id(return_type)) or self._shape(return_type)
            if result is None or result is Undefined:
                raise _null_error(parent_type, step)
        elif result is None or result is Undefined:
            return None
        executor: Any = self
        if kind == _OBJECT:
            if inner is not None and not inner(result, None):  # strawberry's is_type_of
                raise invalid_return_type_error(return_type, result, step.details)
            subfields = step.subfields  # collect_subfields is memoized per execution, so is this
            if subfields is None or subfields[0] is not return_type:
                collected = executor.collect_subfields(return_type, step.details)
                plan = self._plan(return_type, collected.grouped_field_set)
                subfields = step.subfields = (return_type, *collected[:2], plan)
            if position_context is None and not subfields[2]:  # no @defer: what the executors do
                completed = self._execute_plan(return_type, result, path, subfields[3], None)
            else:
                completed = executor.execute_collected_subfields(
                    return_type, result, path, subfields[1], subfields[2], position_context
                )
        elif kind == _LIST:
            if type(result) is list and not step.nodes[0].directives:
                completed = self._complete_list(
                    inner, step, parent_type, info, field_path, path, result, position_context
                )
            else:
                info = self._info(step, parent_type, info, field_path)
                completed = executor.complete_list_value(
                    return_type, step.details, info, path, result, position_context
                )
        elif kind == _LEAF:
            completed = executor.complete_leaf_value(return_type, result)
        else:
            info = self._info(step, parent_type, info, field_path)
            completed = executor.complete_value(
                return_type, step.details, info, path, result, position_context
            )
        if non_null and completed is None:
            raise _null_error(parent_type, step)
        return completed

    def _complete_list(
        self,
        item_type: Any,
        step: _Step,
        parent_type: GraphQLObjectType,
        info: Any,
        field_path: Path,
        path: Path,
        items: list[Any],
        position_context: Any,
    ) -> Any:
        """graphql-core's `complete_iterable_value` and `complete_list_item_value` for a list
        that is not streamed."""
        executor: Any = self
        is_awaitable = self.is_awaitable
        details = step.details
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        index = 0
        try:
            for index, item in enumerate(items):  # noqa: B007  read after the loop on errors
                item_path = Path(path, index, None)
                if is_awaitable(item):
                    info = self._info(step, parent_type, info, field_path)
                    append(
                        executor.complete_awaitable_list_item_value(
                            item, item_type, details, info, item_path, position_context
                        )
                    )
                    awaitable_indices.append(index)
                    continue
                try:
                    completed = self._complete(
                        item_type, step, parent_type, info, field_path, item_path, item, position_context
                    )
                    if is_awaitable(completed):
                        append(_await_field(executor, completed, item_type, details, item_path))
                        awaitable_indices.append(index)
                    else:
                        append(completed)
                except Exception as raw_error:
                    executor.handle_field_error(raw_error, item_type, details, item_path)
                    append(None)
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(item for item in items[index + 1 :] if is_awaitable(item))
            if pending:
                executor.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results
        return _gather_items(completed_results, awaitable_indices)


async def _await_field(
    executor: Any, completed: Any, return_type: Any, details: FieldDetailsList, path: Path
) -> Any:
    try:
        return await completed
    except Exception as raw_error:
        executor.handle_field_error(raw_error, return_type, details, path)
        return None


async def _gather_items(completed_results: list[Any], awaitable_indices: list[int]) -> list[Any]:
    if len(awaitable_indices) == 1:
        index = awaitable_indices[0]
        completed_results[index] = await completed_results[index]
    else:
        awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
        for index, value in zip(awaitable_indices, awaited, strict=True):
            completed_results[index] = value
    return completed_results


async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited = await gather_with_cancel(*(cast(Awaitable[Any], results[f]) for f in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results
