"""The graphql-core executor strawberry runs every operation with, fixed for long-lived subscriptions.

graphql-core 3.3 (up to its main branch, July 2026) builds the executor of each subscription
event as a shallow copy of the subscription's own (`Executor.build_per_event_executor`), so all
events share its `collect_subfields` memo. That memo is keyed by the identity of each field list,
and every event collects new lists: a subscription kept every event's entries (and the lists
themselves) for as long as it was open, about 2.8 KB per delivered event.
"""

from __future__ import annotations

from typing import Any

from graphql.pyutils import RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class ParleyExecutor(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        # per event, not per subscription: what one event memoizes goes with it
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        return executor
