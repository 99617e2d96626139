"""The graphql-core executor strawberry runs every operation with: per-event state for long-lived
subscriptions, and one execution per event for the subscribers who would all get the same answer.

graphql-core 3.3 (up to its main branch, July 2026) builds the executor of each subscription
event as a shallow copy of the subscription's own (`Executor.build_per_event_executor`), so all
events share its `collect_subfields` memo. That memo is keyed by the identity of each field list,
and every event collects new lists: a subscription kept every event's entries (and the lists
themselves) for as long as it was open, about 2.8 KB per delivered event.

Subscribers of one process that share the operation (document and operation name), the variables
and what they may see (the viewer, or anonymous) get the same result for the same event: a
resolver that yields `shared(key, payload)` lets the first of them execute the selection and the
others reuse its result (`SharedResults`). Strawberry's handler still sends every frame.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from graphql import ExecutionResult, GraphQLSchema, Undefined
from graphql.pyutils import RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.fast_execution import FastExecution

T = TypeVar("T")

SHARED_RESULTS = "parley_shared_results"  # the key of the cache in GraphQLSchema.extensions


@dataclass(frozen=True, slots=True)
class SharedEvent:
    key: Hashable
    payload: Any


def shared(key: Hashable, payload: T) -> T:
    """A subscription payload whose selection only depends on `key` (the event), the operation, its
    variables and the viewer: subscribers that have those in common execute it once. ParleyExecutor
    unwraps it before execution, so the resolver's declared type is what the selection sees."""
    return cast(T, SharedEvent(key, payload))


class SharedResults:
    """The results of the last `size` events, by (event, operation, variables, visibility). An
    execution in flight is shared too: the others wait for it, and execute on their own if it
    fails or is cancelled (a result with errors is never shared)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, asyncio.Future[ExecutionResult | None]] = OrderedDict()
        self.executions = 0  # counters, for tests and benchmarks
        self.reuses = 0

    def finished(self, key: Hashable) -> ExecutionResult | None:
        """The shared result of `key` if it is there already."""
        entry = self._entries.get(key)
        if entry is None or not entry.done() or entry.result() is None:
            return None
        self.reuses += 1
        return entry.result()

    def run(self, key: Hashable, execute: Callable[[], Any]) -> Any:
        entry = self._entries.get(key)
        if entry is not None:
            if entry.done() and entry.result() is not None:
                self.reuses += 1
                return entry.result()
            if not entry.done():
                return self._wait(entry, execute)
        self.executions += 1
        result = execute()
        future: asyncio.Future[ExecutionResult | None] = asyncio.get_running_loop().create_future()
        self._put(key, future)
        if not inspect.isawaitable(result):
            future.set_result(_shareable(result))
            return result
        return self._finish(key, future, result)

    async def _finish(
        self, key: Hashable, future: asyncio.Future[ExecutionResult | None], pending: Any
    ) -> Any:
        try:
            result = await pending
        except BaseException:
            future.set_result(None)
            if self._entries.get(key) is future:
                del self._entries[key]
            raise
        future.set_result(_shareable(result))
        return result

    async def _wait(self, entry: asyncio.Future[ExecutionResult | None], execute: Callable[[], Any]) -> Any:
        result = await asyncio.shield(entry)
        if result is not None:
            self.reuses += 1
            return result
        self.executions += 1
        own = execute()
        return await own if inspect.isawaitable(own) else own

    def _put(self, key: Hashable, future: asyncio.Future[ExecutionResult | None]) -> None:
        self._entries[key] = future
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def _shareable(result: Any) -> ExecutionResult | None:
    return result if isinstance(result, ExecutionResult) and not result.errors else None


def shared_results(schema: GraphQLSchema) -> SharedResults:
    """One cache per schema, so per app: two apps in a process (tests) never share results."""
    cache = schema.extensions.get(SHARED_RESULTS)
    if cache is None:
        cache = schema.extensions[SHARED_RESULTS] = SharedResults()
    return cast(SharedResults, cache)


def visibility(viewer: Any) -> Hashable:
    """What a result may depend on of the viewer: all of it but which token they used."""
    if viewer is None:
        return "anon"
    return (viewer.user_id, viewer.username, viewer.rights, viewer.group_ids, viewer.locale)


class _Reused:
    """Stands in for a per-event executor when the event's result is already there: no copy."""

    __slots__ = ("result",)

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self.result


class ParleyExecutor(FastExecution, StrawberryGraphQLCoreExecutionContext):
    _shared_key: Hashable | None = None
    _operation: tuple[Hashable, ...] | None = None  # the key's part that holds for the whole subscription

    def build_per_event_executor(self, payload: Any, context: Any = None) -> Any:
        """The executor of one event; `context` stands in for the subscription's own (a template
        shared by subscriptions to the same operation renders each one's events)."""
        if getattr(payload, "handoff", None) is not None:  # app.graphql.live_handoff.GoLive
            payload.executor = self  # renders its later events: see app.graphql.live_handoff
            return _Reused(ExecutionResult(data=payload, errors=None))
        if context is None:
            context = self.context_value
        key = None
        if isinstance(payload, SharedEvent):
            key = self._event_key(payload.key, context)
            payload = payload.payload
            reused = shared_results(self.schema).finished(key) if key is not None else None
            if reused is not None:
                return _Reused(reused)
        executor = cast(ParleyExecutor, super().build_per_event_executor(payload))
        # per event, not per subscription: what one event memoizes goes with it
        executor.context_value = context
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        executor._shared_key = key
        return executor

    def operation_key(self) -> tuple[Hashable, ...]:
        """(document, operation name, variables as sent), or () when they cannot be compared."""
        if self._operation is None:
            source = self.operation.loc.source.body if self.operation.loc is not None else None
            given = {  # as the client sent them (JSON): [value], or [] for the operation's default
                name: [] if variable.value is Undefined else [variable.value]
                for name, variable in self.variable_values.sources.items()
            }
            try:
                variables = json.dumps(given, sort_keys=True)
            except (TypeError, ValueError):  # not JSON after all: do not share
                source = None
            name = self.operation.name.value if self.operation.name else None
            self._operation = (source, name, variables) if source is not None else ()
        return self._operation

    def _event_key(self, event_key: Hashable, context: Any) -> Hashable | None:
        operation = self.operation_key()
        if not operation:
            return None
        # the viewer is read per event: a socket re-reads its user now and then
        return (event_key, *operation, visibility(getattr(context, "viewer", None)))

    def execute_operation(self, serially: bool | None = None) -> Any:
        key = self._shared_key
        if key is None:
            return super().execute_operation(serially)
        return shared_results(self.schema).run(
            key, lambda: super(ParleyExecutor, self).execute_operation(serially)
        )
