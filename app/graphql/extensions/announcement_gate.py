"""The announcement gate: with PARLEY_ANNOUNCEMENT_GATE on, a user with announcements waiting for
confirmation may only read and confirm them; every other root field answers with a ForbiddenError
(a member of the field's result union where it has one, a top-level FORBIDDEN error otherwise)."""

from __future__ import annotations

import inspect
from typing import Any

from graphql import GraphQLNonNull, GraphQLUnionType
from strawberry.extensions import SchemaExtension

from app.access.announcements import held_by_announcements
from app.domain import errors as errors
from app.graphql.error_types import ErrorCode, ForbiddenError
from app.queries import announcements as announcements_queries

ALLOWED = {
    "viewer",
    "announcements",
    "announcementPublished",
    "announcementEvents",
    "node",
    "nodes",
    "confirmAnnouncement",
    "login",
    "logout",
    "register",
    "__typename",
    "__schema",
    "__type",
}
MESSAGE = "Confirm your pending announcements first (query `announcements(pendingOnly: true)`)."


class AnnouncementGate(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            info.path.prev is not None
            or info.field_name in ALLOWED
            or info.operation.operation.value == "subscription"
        ):
            return _next(root, info, *args, **kwargs)
        return self._gated(_next, root, info, *args, **kwargs)

    async def _gated(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        context = info.context
        if context.viewer is not None:
            if context.pending_announcements is None:
                context.pending_announcements = await announcements_queries.pending_announcements(
                    context.db, context.viewer
                )
            if held_by_announcements(context.viewer, context.pending_announcements):
                return_type = (
                    info.return_type.of_type
                    if isinstance(info.return_type, GraphQLNonNull)
                    else info.return_type
                )
                if isinstance(return_type, GraphQLUnionType) and any(
                    t.name == "ForbiddenError" for t in return_type.types
                ):
                    return ForbiddenError(
                        code=ErrorCode.FORBIDDEN, message=MESSAGE, parameter="announcements"
                    )
                raise errors.Forbidden(MESSAGE, parameter="announcements")
        result = _next(root, info, *args, **kwargs)
        return await result if inspect.isawaitable(result) else result
