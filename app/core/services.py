"""The long-lived resources of one server process, owned by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from app.core.auth import Passwords
from app.core.db import Database
from app.core.settings import Settings
from app.core.throttles import LoginThrottle, SendRate
from app.core.viewer_cache import ViewerCache
from app.live.bus import Bus
from app.live.hub import LiveHub
from app.live.replay import prune
from app.live.socket_limits import SocketLimits
from app.live.socket_viewers import SocketViewers

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    bus: Bus
    hub: LiveHub
    passwords: Passwords
    socket_viewers: SocketViewers
    socket_limits: SocketLimits
    viewer_cache: ViewerCache
    login_throttle: LoginThrottle
    send_rate: SendRate

    @classmethod
    def build(cls, settings: Settings) -> Services:
        db = Database(settings)
        viewer_cache = ViewerCache(settings.auth_cache_seconds)
        return cls(
            settings=settings,
            db=db,
            bus=Bus(settings.bus_url),
            hub=LiveHub(
                db,
                poll_seconds=settings.live_poll_seconds,
                queue_size=settings.subscriber_queue_size,
            ),
            passwords=Passwords(settings),
            socket_viewers=SocketViewers(db, settings.live_auth_refresh_seconds, viewer_cache),
            socket_limits=SocketLimits(settings),
            viewer_cache=viewer_cache,
            login_throttle=LoginThrottle(settings),
            send_rate=SendRate(per_second=settings.send_per_second, burst=settings.send_burst),
        )

    async def start(self) -> None:
        await self.hub.start()
        self.bus.listen(on_hint=self.hub.hint, on_gap=self._bus_gap, on_users=self._forget_users)
        await self.bus.start()

        async def users_changed(user_ids: frozenset[int]) -> None:
            self._forget_users(user_ids)  # at once here; the bus tells the other instances
            await self.bus.publish_users_changed(user_ids)

        self.db.on_users_changed = users_changed

        async def events_committed(position: int) -> None:
            self.hub.hint(position)  # this process's subscribers need no round trip
            await self.bus.publish_hint(position)

        self.db.on_events_committed = events_committed
        self._pruner = asyncio.create_task(self._prune_forever(), name="parley-event-pruner")
        self.socket_viewers.start()

    def _forget_users(self, user_ids: frozenset[int]) -> None:
        self.viewer_cache.forget_users(user_ids)
        self.socket_viewers.users_changed(user_ids)

    def _bus_gap(self) -> None:
        self.hub.gap()
        self.viewer_cache.clear()  # a users-changed message may have been missed

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.event_prune_interval_seconds)
            try:
                await prune(self.db, self.settings.event_retention_seconds)
                await self.db.refresh_statistics()
            except Exception:
                log.exception("pruning the event log or refreshing statistics failed; will retry")

    async def stop(self) -> None:
        await self.socket_viewers.stop()
        if getattr(self, "_pruner", None) is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
        await self.bus.stop()
        await self.hub.stop()
        await self.db.dispose()
