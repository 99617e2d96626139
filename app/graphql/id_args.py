"""Global id helpers for resolvers."""

from __future__ import annotations

import strawberry

from app.domain.global_ids import expect_id, parse_global_id, to_global_id

__all__ = ["expect_id", "gid", "parse_global_id"]


def gid(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, pk))
