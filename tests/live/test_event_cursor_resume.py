"""Load the page, then subscribe with `after: eventCursor`: every later change once, nothing earlier."""

from __future__ import annotations

import asyncio

from tests.conftest import LiveServer
from tests.live.test_live import post
from tests.live.test_resume import admin_token, send, take

PAGE = """query { messages(filter: {topic: "/Live"}) { edges { node { text } } } eventCursor }"""


async def test_subscribing_after_the_page_cursor_gets_exactly_what_came_after_the_page(
    live_server: LiveServer,
) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    data = await post(
        live_server,
        """mutation { register(input: {username: "bob", password: "password-123"}) {
      ... on RegisterSuccess { token user { id } } } }""",
        {},
    )
    bob, bob_id = data["register"]["token"], data["register"]["user"]["id"]
    await post(
        live_server,
        """mutation($u: [ID!]!) { setTopicAccess(input: {topic: "/Live", role: READ, users: $u}) {
      __typename } }""",
        {"u": [bob_id]},
        admin,
    )
    first = await send(live_server, admin, "old 0")
    await send(live_server, admin, "old 1")

    page = await post(live_server, PAGE, {}, bob)  # bob loads the page
    assert [e["node"]["text"] for e in page["messages"]["edges"]] == ["old 1", "old 0"]

    for i in range(3):  # then, before bob subscribes, someone else writes
        await send(live_server, admin, f"new {i}")
    edit = (
        """mutation($r: MessageRef!) { editMessage(input: {ref: $r, text: "old 0 edited"}) { __typename } }"""
    )
    assert (await post(live_server, edit, {"r": {"id": first}}, admin))["editMessage"][
        "__typename"
    ] == "Message"

    ready = asyncio.Event()
    task = asyncio.create_task(
        take(live_server, bob, 5, {"f": {"topic": "/Live"}, "after": page["eventCursor"]}, ready)
    )
    await asyncio.wait_for(ready.wait(), 10)
    await send(live_server, admin, "live 0")  # and once subscribed, live
    events = await asyncio.wait_for(task, 15)
    assert [(e["kind"], e["message"]["text"]) for e in events] == [
        ("ADDED", "new 0"),
        ("ADDED", "new 1"),
        ("ADDED", "new 2"),
        ("EDITED", "old 0 edited"),
        ("ADDED", "live 0"),
    ]
    assert len({e["cursor"] for e in events}) == 5
