"""A change that makes a message stop matching a subscription's filter still reaches that subscriber."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import LiveServer
from tests.live.test_live import post
from tests.live.test_resume import admin_token, take

SEND = """mutation($x: String!, $labels: [LabelInput!]) {
  sendMessage(input: {topic: "/Live", text: $x, labels: $labels}) { ... on Message { id } } }"""
CHANGES = {
    "unlabel": """mutation($r: MessageRef!) { labelMessage(input: {ref: $r, remove: ["hot"]}) { __typename } }""",
    "edit": """mutation($r: MessageRef!) { editMessage(input: {ref: $r, text: "no tags now"}) { __typename } }""",
    "unvote": """mutation($r: MessageRef!) { vote(input: {ref: $r, direction: null}) { __typename } }""",
    "vote": """mutation($r: MessageRef!) { vote(input: {ref: $r, direction: UP}) { __typename } }""",
}


async def test_a_label_removed_a_tag_edited_away_and_a_vote_withdrawn_reach_the_filters_they_leave(
    live_server: LiveServer,
) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)

    async def send(text: str, labels: list[dict[str, Any]] | None = None) -> str:
        return (await post(live_server, SEND, {"x": text, "labels": labels}, admin))["sendMessage"]["id"]

    async def run(change: str, message: str) -> None:
        result = (await post(live_server, CHANGES[change], {"r": {"id": message}}, admin)).popitem()[1]
        assert result["__typename"] in ("Message", "LabelMessageSuccess"), result

    labelled = await send("labelled", [{"text": "hot", "color": "#f00"}])
    tagged = await send("tagged #keep")
    voted = await send("voted")
    await run("vote", voted)

    filters = [{"labels": ["hot"]}, {"tags": ["keep"]}, {"minVotesUp": 1}]
    readies = [asyncio.Event() for _ in filters]
    tasks = [
        asyncio.create_task(take(live_server, admin, 1, {"f": {"topic": "/Live", **f}}, ready))
        for f, ready in zip(filters, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 10)
    await run("unlabel", labelled)  # no longer labelled hot
    await run("edit", tagged)  # no longer tagged #keep
    await run("unvote", voted)  # no longer at 1 vote up
    got = [(await asyncio.wait_for(t, 15))[0] for t in tasks]
    assert [(e["kind"], e["messageId"]) for e in got] == [
        ("LABELED", labelled),
        ("EDITED", tagged),
        ("VOTED", voted),
    ]
    assert [e["message"]["text"] for e in got] == ["labelled", "no tags now", "voted"]
