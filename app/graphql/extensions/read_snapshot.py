"""Queries that ask for `eventCursor` read everything in one snapshot.

"Load the page, then subscribe with `after: eventCursor`" loses nothing only if the cursor and
the page describe the same moment: a write committed between reading one and the other would be
in neither (or in both). Such a query runs all its reads in one read transaction
(Database.snapshot); other queries keep their short independent reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

SNAPSHOT_FIELDS = {"eventCursor"}


def _root_fields(document: DocumentNode, operation_name: str | None) -> set[str]:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return set()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: set[str] = set()
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if selection.name.value in fragments:
                    walk(fragments[selection.name.value].selection_set)

    walk(operation.selection_set)
    return names


class ReadSnapshot(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        ctx = self.execution_context
        document = ctx.graphql_document
        if (
            document is not None
            and ctx.operation_type == OperationType.QUERY
            and SNAPSHOT_FIELDS & _root_fields(document, ctx.operation_name)
        ):
            async with ctx.context.db.snapshot():
                yield
        else:
            yield
