"""Query cost: how many objects an operation may resolve, computed before it runs.

Every field costs 1 for each time it is resolved; a connection (a field whose type is a
`...Connection`) resolves its selection once per item of the page it asks for (`first`/`last`,
else the default page size), so page sizes multiply through nested connections:
`messages(first: 100) { edges { node { topic { messages(first: 100) { ... } } } } }` costs
100 * 100 * ... . An operation over `PARLEY_MAX_QUERY_COST` is refused before anything runs
(LIMIT_EXCEEDED, with the cost and the budget in `extensions`); every accepted one reports its
cost in the response's `extensions.cost`. Subscriptions are limited by their own caps instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.type import GraphQLInterfaceType, GraphQLUnionType
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

PAGE_ARGUMENTS = ("first", "last")


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        page: int,
    ) -> None:
        self.schema, self.fragments, self.variables, self.page = schema, fragments, variables, page

    def cost(
        self, selection_set: SelectionSetNode | None, parent: Any, times: int, seen: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, times, seen)
            elif isinstance(selection, InlineFragmentNode):
                on = self._type(selection.type_condition.name.value) if selection.type_condition else parent
                total += self.cost(selection.selection_set, on, times, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    on = self._type(fragment.type_condition.name.value)
                    total += self.cost(fragment.selection_set, on, times, seen | {selection.name.value})
        return total

    def _field(self, node: FieldNode, parent: Any, times: int, seen: frozenset[str]) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(name)
        if definition is None:  # __typename, introspection, or a member's field on an abstract parent
            return times
        child = get_named_type(definition.type)
        inner = times
        if child.name.endswith("Connection"):
            inner = times * self._page_size(node)
        return times + self.cost(node.selection_set, child, inner, seen)

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                value = (
                    self.variables.get(argument.value.name.value)
                    if isinstance(argument.value, VariableNode)
                    else value_from_ast_untyped(argument.value)
                )
                if isinstance(value, int) and value > 0:
                    return value
        return self.page

    def _type(self, name: str) -> Any:
        found = self.schema.get_type(name)
        if isinstance(found, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            return found
        return None


def operation_cost(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any], page: int
) -> int:
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return 0
    root = schema.get_root_type(operation.operation)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _Walk(schema, fragments, variables, page).cost(operation.selection_set, root, 1, frozenset())


class QueryCost(SchemaExtension):
    def on_execute(self) -> Iterator[None]:  # type: ignore[override]
        ctx = self.execution_context
        settings = ctx.context.settings
        self.cost: int | None = None
        if ctx.graphql_document is not None and ctx.operation_type != OperationType.SUBSCRIPTION:
            self.cost = operation_cost(
                ctx.schema._schema,
                ctx.graphql_document,
                ctx.operation_name,
                ctx.variables or {},
                settings.page_size_default,
            )
            if self.cost > settings.max_query_cost:
                message = (
                    f"This operation would cost {self.cost} (objects it may resolve, page sizes "
                    f"multiplied through nested connections); the budget is {settings.max_query_cost}."
                )
                extensions = {"code": "LIMIT_EXCEEDED", "cost": self.cost, "budget": settings.max_query_cost}
                ctx.result = ExecutionResult(data=None, errors=[GraphQLError(message, extensions=extensions)])
        yield

    def get_results(self) -> dict[str, Any]:
        cost = getattr(self, "cost", None)
        return {"cost": cost} if cost is not None else {}
