"""The in-process bus (memory://) publishes nothing: it reaches no other process, and the writer
tells its own hub and caches directly (app/core/services.py); tests/live/test_live.py shows that
a send still reaches the subscribers of the same process."""

from __future__ import annotations

import asyncio

from app.live.bus import Bus, BusState


async def test_a_memory_bus_hands_nothing_back_to_its_own_process() -> None:
    bus = Bus("memory://")
    hints: list[int] = []
    users: list[frozenset[int]] = []
    bus.listen(on_hint=hints.append, on_gap=lambda: None, on_users=users.append)
    await bus.start()
    try:
        assert bus.state == BusState.UP
        await bus.publish_hint(7)
        await bus.publish_users_changed(frozenset({1, 2}))
        await asyncio.sleep(0.05)
        assert hints == [] and users == [] and bus.unpublished == 0
    finally:
        await bus.stop()
