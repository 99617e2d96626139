"""Query.eventCursor describes the same moment as the page read beside it, even under writers."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from app.domain.global_ids import to_global_id
from app.live.replay import decode_event_cursor
from app.models import Event
from tests.conftest import ADMIN_PASSWORD, Api

PAGE = """query { first: eventCursor messages(filter: {topic: "/Live"}, first: 100) { edges { node { id } } }
  last: eventCursor }"""
SEND = """mutation($x: String!) { sendMessage(input: {topic: "/Live", text: $x}) { __typename } }"""


async def test_a_page_and_its_event_cursor_are_read_in_one_snapshot(api: Api, app: Any) -> None:
    admin = (await api.login("admin", ADMIN_PASSWORD))["token"]
    await api.run("""mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    assert decode_event_cursor((await api.run("{ eventCursor }"))["eventCursor"]) >= 0

    async def writer(w: int) -> None:
        for i in range(15):
            sent = await api.run(SEND, {"x": f"m{w}.{i}"}, admin)
            assert sent["sendMessage"]["__typename"] == "Message"

    async def reader() -> list[tuple[int, set[str]]]:
        seen = []
        for _ in range(60):
            data = await api.run(PAGE, {}, admin)
            assert data["first"] == data["last"]
            data["eventCursor"] = data["first"]
            seen.append(
                (
                    decode_event_cursor(data["eventCursor"]),
                    {e["node"]["id"] for e in data["messages"]["edges"]},
                )
            )
            await asyncio.sleep(0)
        return seen

    *_, pages = await asyncio.gather(*(writer(w) for w in range(4)), reader())
    async with app.state.services.db.read() as session:
        added = [
            (e.position, to_global_id("Message", e.message_id))
            for e in (await session.execute(select(Event).where(Event.kind == "ADDED"))).scalars()
            if e.message_id is not None
        ]
    for cursor, page in pages:
        # exactly the messages whose ADDED event is at or before the cursor: subscribing after it
        # brings every later one, and none of these again
        assert page == {m for position, m in added if position <= cursor}, cursor
    assert len({cursor for cursor, _ in pages}) > 5  # the reads really ran between the writes
