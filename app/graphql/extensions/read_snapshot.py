"""Every query reads one snapshot, on one session.

All the reads of a query operation (root fields, connections, every DataLoader batch) share one
read transaction (Database.snapshot): one connection checkout and one BEGIN per request instead
of one per batch, and answers that describe one moment. That is what makes "load the page, then
subscribe with `after: eventCursor`" lose nothing: the cursor and the page cannot straddle a
write. Mutations keep their own write units of work; subscriptions read per event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


class ReadSnapshot(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.operation_type == OperationType.QUERY:
            async with ctx.context.db.snapshot():
                yield
        else:
            yield
