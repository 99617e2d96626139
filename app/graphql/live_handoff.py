"""A subscription's live part, handed from strawberry's per-operation task to direct delivery.

`messageAdded` and `messageEvents` run as strawberry runs every subscription until they have
replayed what they were asked for. Then their resolver yields `go_live(...)`: the executor
(app.graphql.executor) and the extensions runner fill in what a later rendering needs, the
transport (app.graphql.transport_ws) hands it to the hub as an app.live.direct.DirectDelivery and
ends the operation's task without a `complete`. From then on an event costs the subscriber its
predicate and a frame: the selection is executed once per (event, operation, variables,
visibility) through the shared results of app.graphql.executor, strawberry's result handling
(error masking, extension results) runs once per execution, and its JSON is encoded once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError

from app.graphql.executor import shared
from app.live.event_loading import LiveEvent
from app.live.replay import Handoff


@dataclass(slots=True)
class GoLive:
    handoff: Handoff
    to_payload: Callable[[LiveEvent], Any | None]  # the resolver's value for an event (None: skip it)
    field: str  # the response key of the subscription's field, for errors
    executor: Any = None  # set by ParleyExecutor: the subscription's graphql-core executor
    execution_context: Any = None  # set by the extensions runner: strawberry's, and the runner
    runner: Any = None


def go_live(handoff: Handoff, to_payload: Callable[[LiveEvent], Any | None], field: str) -> Any:
    """What a resolver yields to hand its live events over (typed Any: it is not a payload)."""
    return GoLive(handoff, to_payload, field)


class LiveRenderer:
    """Renders an event's `next` payload for one parked subscription, as strawberry would have."""

    __slots__ = ("_executor", "_schema", "_context", "_runner", "_to_payload", "_field")

    def __init__(self, marker: GoLive, schema: Any) -> None:
        self._executor = marker.executor
        self._context = marker.execution_context
        self._runner = marker.runner
        self._to_payload = marker.to_payload
        self._field = marker.field
        self._schema = schema

    def render(self, event: LiveEvent, renders: dict[Any, Any]) -> Any:
        """The payload's JSON text, None to skip the event, or an awaitable of either. `renders`
        holds this event's payload and finished texts, by the result they encode: subscribers
        whose executions were shared (same operation, variables and visibility) share them."""
        payload = renders.get(self._to_payload, renders)
        if payload is renders:
            payload = renders[self._to_payload] = self._to_payload(event)
        if payload is None:
            return None
        result = self._executor.build_per_event_executor(shared(event.position, payload)).execute_operation()
        if not inspect.isawaitable(result):
            done = renders.get(id(result))
            if done is not None:
                return done[1]
        return self._finish(result, renders)

    async def _finish(self, result: Any, renders: dict[Any, Any]) -> str:
        try:
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # graphql-core leaves exceptions of the execution to its caller
            result = GraphQLExecutionResult(data=None, errors=[GraphQLError(str(exc), original_error=exc)])
        done = renders.get(id(result))
        if done is not None:
            return cast(str, done[1])
        text = await self._text(result)
        if not result.errors:
            renders[id(result)] = (result, text)  # the result kept alive: its id stays its own
        return text

    async def error_text(self, error: Exception) -> str:
        """A failure of the stream itself (the log pruned past it), as strawberry reports one."""
        return await self._text(
            GraphQLExecutionResult(
                data=None, errors=[GraphQLError(str(error), path=[self._field], original_error=error)]
            )
        )

    async def _text(self, result: GraphQLExecutionResult) -> str:
        handled = await self._schema._handle_execution_result(self._context, result, self._runner)
        async with self._runner.on_stream_result(handled):  # masks unexpected errors
            payload: dict[str, Any] = {"data": handled.data}
            if handled.errors:
                payload["errors"] = [error.formatted for error in handled.errors]
            if handled.extensions:
                payload["extensions"] = handled.extensions
            return orjson.dumps(payload).decode()
