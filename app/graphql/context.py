"""The per-request (or per-websocket) GraphQL context."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info as StrawberryInfo

from app.core.auth import Viewer
from app.core.services import Services
from app.domain.pagination import PageRequest
from app.graphql.loaders import Loaders


class Context:
    def __init__(
        self,
        *,
        services: Services,
        viewer: Viewer | None,
        request: Any,
        response: Any,
        websocket: bool = False,
        request_id: str | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        self.db = services.db
        self.viewer = viewer
        self.request = request
        self.response = response
        self.websocket = websocket
        self.request_id = request_id or uuid.uuid4().hex[:16]
        self.connection_params: dict[str, Any] | None = None
        self.pending_announcements: int | None = None  # counted once, by the announcement gate
        self.live_handoff = False  # the transport takes live parts over (app.graphql.live_handoff)
        self.loaders = Loaders(services.db, viewer, cache=not websocket)

    def set_viewer(self, viewer: Viewer | None) -> None:
        self.viewer = viewer
        self.loaders.set_viewer(viewer)

    def page(
        self,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        return PageRequest.build(
            first=first,
            after=after,
            last=last,
            before=before,
            default=self.settings.page_size_default,
            cap=self.settings.page_size_max,
        )


Info = StrawberryInfo[Context, None]


def client_address(request: Any) -> str | None:
    """The client's address (uvicorn's proxy headers handling decides whom to believe)."""
    client = getattr(request, "client", None)
    return client.host if client is not None else None
