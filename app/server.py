"""uvicorn with Parley's graceful shutdown: stop accepting, close websockets with 1001 (going
away, so clients reconnect elsewhere and resume from their cursor), finish in-flight requests."""

from __future__ import annotations

import socket

import uvicorn


class ParleyServer(uvicorn.Server):
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
