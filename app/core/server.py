"""uvicorn with Parley's graceful shutdown: stop accepting, close websockets with 1001 (going
away, so clients reconnect elsewhere and resume from their cursor), finish in-flight requests."""

from __future__ import annotations

import gc
import socket
from typing import Any

import uvicorn

from app.core.websocket_protocol import LeanWebSocketProtocol

GC_GENERATION0_THRESHOLD = 50_000  # CPython's default is 700 (2,000 on 3.13)


def server_config(
    app: Any, *, host: str, port: int, ws_per_message_deflate: bool, **options: Any
) -> uvicorn.Config:
    """uvicorn's settings for Parley (`parley serve` and the tests' live server use the same)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ws=LeanWebSocketProtocol,
        ws_per_message_deflate=ws_per_message_deflate,
        **options,
    )


class ParleyServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # Everything loaded at start-up (modules, schema, settings) lives as long as the process:
        # move it out of the collector's sight, and collect young objects less often. Full
        # collections over a big heap are what stalls live delivery to many subscribers.
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_GENERATION0_THRESHOLD, *gc.get_threshold()[1:])

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        registry = getattr(getattr(self.config.loaded_app, "state", None), "websockets", None)
        if registry is None:  # the app sits inside uvicorn's own middleware
            app = self.config.loaded_app
            while registry is None and hasattr(app, "app"):
                app = app.app
                registry = getattr(getattr(app, "state", None), "websockets", None)
        if registry is not None:
            await registry.close_all(1001)
        await super().shutdown(sockets)
