"""Field execution without graphql-core's per-field machinery (the mixin of ParleyExecutor).

graphql-core executes every field the same way: a `Path`, a `GraphQLResolveInfo` (a 15-field
NamedTuple), the field looked up, its arguments coerced, the resolver, then `complete_value`,
which walks the type (non-null, list, leaf, abstract, object) through a chain of isinstance
checks, looks up the stream directive of every list and the memo of every object's subfields.
A page of 50 messages with authors and reactions is about 900 such fields.

`FastExecution` executes a grouped field set from its plan (app.graphql.field_plans, made once
per execution and shared by every item of a list):

- Leaves that are an attribute of their parent (strawberry's basic fields: `createdAt`,
  `username`, `content`, `count`) and relay ids are answered at once: the attribute (or the
  GlobalID), then the scalar's own `coerce_output_value`, which is what strawberry's resolver and
  `complete_leaf_value` do. Only a plain value is taken (str, int, float, bool, date/datetime, a
  GlobalID, or None where the type allows it); anything else (a missing attribute, an exception
  value, an awaitable, a value the scalar refuses, None for a non-null field) runs the field again
  through graphql-core's `execute_field`, which raises, locates and masks the error as before.
  Reading an attribute twice is harmless, so a fallback changes nothing but time.
- Every other field runs graphql-core's `execute_field` and `complete_value` steps in the same
  order with the same errors and paths, from the plan: no per-field lookups, the info built only
  where something reads it, the arguments coerced once when they are plain scalars. Abstract
  types, async iterables, streamed or deferred selections and awaitables go to graphql-core's own
  methods, as does everything while a schema extension resolves fields (graphql middleware).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

from graphql import GraphQLObjectType, GraphQLSchema, Undefined
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry import relay

from app.graphql.field_plans import (
    ATTRIBUTE,
    LEAF,
    LIST,
    NON_NULL,
    OBJECT,
    OBJECT_ATTRIBUTE,
    PLAIN,
    FieldStep,
    fast_stats,
    node_id_attribute,
    null_error,
    plain_arguments,
    plan_step,
    shape_of,
    shapes_of,
)


class FastExecution:
    """A mixin for graphql-core's `Executor`: see the module's docstring."""

    schema: GraphQLSchema
    middleware_manager: Any
    is_awaitable: Any
    variable_values: Any
    hide_suggestions: bool
    field_resolver: Any
    _field_plans: dict[tuple[GraphQLObjectType, int], tuple[GroupedFieldSet, list[FieldStep]]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field_plans = {}
        self._stats = fast_stats(self.schema)
        self._shapes = shapes_of(self.schema)

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)  # type: ignore[misc]
        if isinstance(executor, FastExecution):
            executor._field_plans = {}  # keyed by identity, like the subfield memo: per event
        return executor

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[FieldStep]:
        key = (parent_type, id(grouped_field_set))
        entry = self._field_plans.get(key)
        if entry is not None:
            return entry[1]
        manager = self.middleware_manager  # strawberry passes one per request, empty unless an
        shortcuts = manager is None or not manager.middlewares  # extension resolves fields
        plan = []
        for name, details in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, details[0].node.name.value)
            plan.append(plan_step(name, details, field_def if shortcuts else None))
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
        plan: list[FieldStep],
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
                if kind >= ATTRIBUTE:
                    try:
                        if kind == ATTRIBUTE:
                            value = getattr(source_value, step.attribute)
                        else:
                            id_attribute = node_id_attribute(type(source_value))
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
                        elif type(value) in PLAIN or type(value) is relay.GlobalID:
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
        self, parent_type: GraphQLObjectType, source: Any, step: FieldStep, path: Path, position_context: Any
    ) -> Any:
        """graphql-core's `execute_field` for a planned field: the same calls in the same order,
        without the per-field lookups, and the info built only when something reads it."""
        field_def: Any = step.field_def
        return_type = field_def.type
        details = step.details
        executor: Any = self
        info = None
        try:
            if step.kind == OBJECT_ATTRIBUTE:
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
                    if plain_arguments(arguments):  # the same for every item of the list
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

    def _info(self, step: FieldStep, parent_type: GraphQLObjectType, info: Any, field_path: Path) -> Any:
        if info is None:
            executor: Any = self
            info = executor.build_resolve_info(step.field_def, step.nodes, parent_type, field_path)
        return info

    def _shape(self, return_type: Any) -> tuple[int, Any, Any]:
        shape = self._shapes[id(return_type)] = (*shape_of(return_type), return_type)  # the type
        return shape  # stays alive with its entry, so its id stays its own

    def _complete(
        self,
        return_type: Any,
        step: FieldStep,
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
        non_null = kind == NON_NULL
        if non_null:
            return_type = inner
            kind, inner, _ = self._shapes.get(id(return_type)) or self._shape(return_type)
            if result is None or result is Undefined:
                raise null_error(parent_type, step)
        elif result is None or result is Undefined:
            return None
        executor: Any = self
        if kind == OBJECT:
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
        elif kind == LIST:
            if type(result) is list and not step.nodes[0].directives:
                completed = self._complete_list(
                    inner, step, parent_type, info, field_path, path, result, position_context
                )
            else:
                info = self._info(step, parent_type, info, field_path)
                completed = executor.complete_list_value(
                    return_type, step.details, info, path, result, position_context
                )
        elif kind == LEAF:
            completed = executor.complete_leaf_value(return_type, result)
        else:
            info = self._info(step, parent_type, info, field_path)
            completed = executor.complete_value(
                return_type, step.details, info, path, result, position_context
            )
        if non_null and completed is None:
            raise null_error(parent_type, step)
        return completed

    def _complete_list(
        self,
        item_type: Any,
        step: FieldStep,
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
