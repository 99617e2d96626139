"""Connections (Relay style, keyset cursors) shared by every list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from app.domain.pagination import Page

T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: relay.PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[Any], wrap: Callable[[Any], T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=wrap(item)) for item, c in zip(page.items, page.cursors, strict=True)]
        return cls(
            edges=edges,
            page_info=page_info(page),
            total_count=page.total_count if page.total_count is not None else len(edges),
        )


def page_info(page: Page[Any]) -> relay.PageInfo:
    cursors = page.cursors
    return relay.PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
