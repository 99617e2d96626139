"""A subscription's live part, handed from strawberry's per-operation task to direct delivery.

`messageAdded` and `messageEvents` run as strawberry runs every subscription until they have
replayed what they were asked for. Then their resolver yields `go_live(...)`: the executor
(app.graphql.executor) adds itself, the transport (app.graphql.transport_ws) hands it to the hub
as an app.live.direct.DirectDelivery and ends the operation's task without a `complete`. From
then on an event costs the subscriber its predicate and a frame: the selection is executed once
per (event, operation, variables, visibility) through the shared results of
app.graphql.executor, by one executor per operation, and its JSON is encoded once. A result with
errors goes through strawberry's handling and extensions (masking, logging) per subscriber.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from app.graphql.executor import shared, visibility
from app.live.direct import OwnText
from app.live.event_loading import LiveEvent
from app.live.replay import Handoff


@dataclass(slots=True)
class GoLive:
    handoff: Handoff
    to_payload: Callable[[LiveEvent], Any | None]  # the resolver's value for an event (None: skip it)
    field: str  # the response key of the subscription's field, for errors
    executor: Any = None  # set by ParleyExecutor: the subscription's graphql-core executor


def go_live(handoff: Handoff, to_payload: Callable[[LiveEvent], Any | None], field: str) -> Any:
    """What a resolver yields to hand its live events over (typed Any: it is not a payload)."""
    return GoLive(handoff, to_payload, field)


def _template(executor: Any) -> Any:
    """One executor per operation (document, name, variables) renders every subscriber's events,
    each with its own context: a parked subscription keeps none of its own."""
    key = executor.operation_key()
    if not key:
        return executor
    templates = executor.schema.extensions.get(_TEMPLATES)
    if templates is None:
        templates = executor.schema.extensions[_TEMPLATES] = weakref.WeakValueDictionary()
    template = templates.get(key)
    if template is None:
        template = templates[key] = executor
    template.context_value = template.root_value = None  # each rendering passes its own context
    return template


_TEMPLATES = "parley_live_templates"


class LiveRenderer:
    """Renders an event's `next` payload for one parked subscription, as strawberry would have."""

    __slots__ = ("_executor", "_schema", "_context", "_to_payload", "_field")

    def __init__(self, marker: GoLive, schema: Any, context: Any) -> None:
        self._executor = _template(marker.executor)
        self._context = context
        self._to_payload = marker.to_payload
        self._field = marker.field
        self._schema = schema

    def group(self) -> Hashable | None:
        """What this subscriber's predicate and result depend on: the operation (so its filter)
        and what the viewer may see; None when the operation cannot be compared."""
        operation = self._executor.operation_key()
        if not operation:
            return None
        return (operation, visibility(getattr(self._context, "viewer", None)))

    def render(self, event: LiveEvent, renders: dict[Any, Any]) -> Any:
        """The payload's JSON text, None to skip the event, or an awaitable of either. `renders`
        holds this event's payload and finished texts, by the result they encode: subscribers
        whose executions were shared (same operation, variables and visibility) share them."""
        payload = renders.get(self._to_payload, renders)
        if payload is renders:
            payload = renders[self._to_payload] = self._to_payload(event)
        if payload is None:
            return None
        executor = self._executor.build_per_event_executor(shared(event.position, payload), self._context)
        result = executor.execute_operation()
        if inspect.isawaitable(result):
            return self._finish(result, renders)
        return self._text(result, renders)

    async def _finish(self, pending: Any, renders: dict[Any, Any]) -> str:
        try:
            result = await pending
        except Exception as exc:  # graphql-core leaves exceptions of the execution to its caller
            result = GraphQLExecutionResult(data=None, errors=[GraphQLError(str(exc), original_error=exc)])
        text = self._text(result, renders)
        return text if isinstance(text, str) else await text

    def _text(self, result: GraphQLExecutionResult, renders: dict[Any, Any]) -> Any:
        if result.errors:
            return self._with_errors(result)
        done = renders.get(id(result))
        if done is not None:
            return done[1]
        # no errors: strawberry's handling adds nothing to a subscription's result (no extension
        # has results for one), so this is its payload
        text = orjson.dumps({"data": result.data}).decode()
        renders[id(result)] = (result, text)  # the result kept alive: its id stays its own
        return text

    async def error_text(self, error: Exception) -> str:
        """A failure of the stream itself (the log pruned past it), as strawberry reports one."""
        return await self._with_errors(
            GraphQLExecutionResult(
                data=None, errors=[GraphQLError(str(error), path=[self._field], original_error=error)]
            )
        )

    async def _with_errors(self, result: GraphQLExecutionResult) -> str:
        """Errors go through strawberry's handling and the extensions, with this subscriber's
        context: logged once with its request id, masked unless expected."""
        context = ExecutionContext(
            query=None,
            schema=self._schema,
            allowed_operations=(OperationType.SUBSCRIPTION,),
            context=self._context,
        )
        extensions = self._schema.get_extensions()
        for extension in extensions:  # as strawberry does for an operation
            extension.execution_context = context
        runner = self._schema.create_extensions_runner(context, extensions)
        handled = await self._schema._handle_execution_result(context, result, runner)
        async with runner.on_stream_result(handled):  # masks unexpected errors
            payload: dict[str, Any] = {"data": handled.data}
            if handled.errors:
                payload["errors"] = [error.formatted for error in handled.errors]
            if handled.extensions:
                payload["extensions"] = handled.extensions
            return OwnText(orjson.dumps(payload).decode())  # names this subscriber's request id
