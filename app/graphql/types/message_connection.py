"""MessageConnection: a page of messages chosen by a filter and an order, each edge with its tree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from enum import Enum

import strawberry
from strawberry import relay

from app import models
from app.domain.pagination import Page, PageRequest
from app.filters import MessageFilterSpec
from app.graphql.context import Info
from app.graphql.prefetch import prefetch_message_parts
from app.graphql.types.common import page_info
from app.graphql.types.messages import Message
from app.queries import messages as messages_queries


@strawberry.enum
class TreeView(Enum):
    NONE = "NONE"
    ONE_TREE = "ONE_TREE"
    FULL_TREE = "FULL_TREE"


@strawberry.type
class MessageEdge:
    node: Message
    tree: list[Message] = strawberry.field(
        description="With treeView ONE_TREE the root's direct replies, with FULL_TREE its whole thread "
        "(oldest first; inReplyTo gives the nesting); empty otherwise."
    )
    cursors: strawberry.Private[Sequence[str]]  # the page's, encoded when read
    index: strawberry.Private[int]

    @strawberry.field
    def cursor(self) -> str:
        return self.cursors[self.index]


@strawberry.type
class MessageConnection:
    edges: list[MessageEdge]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]] | int]

    @strawberry.field(description="All matches, not just this page (counted only when asked for).")
    async def total_count(self) -> int:
        return self.count if isinstance(self.count, int) else await self.count()

    @classmethod
    def of(
        cls,
        page: Page[models.Message],
        trees: dict[int, list[models.Message]] | None = None,
        count: Callable[[], Awaitable[int]] | None = None,
    ) -> MessageConnection:
        trees = trees or {}
        cursors = page.cursors
        edges = [
            MessageEdge(
                node=Message.from_row(m),
                tree=[Message.from_row(r) for r in trees.get(m.id or 0, [])] if trees else [],
                cursors=cursors,
                index=i,
            )
            for i, m in enumerate(page.items)
        ]
        info = page_info(page)
        total: Callable[[], Awaitable[int]] | int = len(edges)
        if page.total_count is not None:
            total = page.total_count
        elif count is not None:
            total = count
        return cls(edges=edges, page_info=info, count=total)


async def message_connection(
    info: Info,
    spec: MessageFilterSpec,
    order: list[tuple[str, bool]],
    page: PageRequest,
    tree_view: TreeView = TreeView.NONE,
) -> MessageConnection:
    """The page of messages; with a tree view the filter picks roots and each edge carries its tree."""
    if tree_view != TreeView.NONE:
        spec = replace(spec, only_roots=True)
    result = await messages_queries.messages(info.context.db, info.context.viewer, spec, order, page)
    for row in result.items:
        info.context.loaders.prime_message(row)
    await prefetch_message_parts(info, result.items)
    trees = None
    if tree_view != TreeView.NONE:
        roots = [m.id for m in result.items if m.id is not None]
        trees = await messages_queries.trees(info.context.db, roots, full=tree_view == TreeView.FULL_TREE)
    return MessageConnection.of(
        result,
        trees,
        count=lambda: messages_queries.message_count(info.context.db, info.context.viewer, spec),
    )
