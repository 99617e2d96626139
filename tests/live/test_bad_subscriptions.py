"""An invalid subscription gets an `error` frame over graphql-transport-ws (a real uvicorn, a real
websocket): syntax errors, validation errors and bad arguments alike; the socket stays open and
its other subscriptions keep working, and nothing is logged as an error."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import pytest
import websockets

from tests.conftest import LiveServer
from tests.live.test_live import SEND, post

TOPIC = """mutation { createTopic(input: {path: "/News", readOnly: true}) { __typename } }"""
TOO_BIG_MESSAGE = base64.b64encode(b"Message:9223372036854775808").decode()
TOO_BIG_CONVERSATION = base64.b64encode(b"Conversation:99999999999999999999999").decode()
LOGIN = """mutation { login(input: {username: "admin", password: "admin-password-1"}) {
  ... on LoginSuccess { token } } }"""


async def frame(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))


async def test_invalid_subscriptions_get_an_error_frame(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bad: list[tuple[str, dict[str, Any] | None, str]] = [
        ("subscription { messageAdded(", None, "Syntax Error"),
        ("subscription { messageAdded { id } ", None, "Syntax Error"),
        ("subscription { nope }", None, "Cannot query field 'nope'"),
        ("subscription { messageAdded { id nope } }", None, "Cannot query field 'nope'"),
        ("subscription($f: MessageFilter) { messageAdded(filter: $f) { id } }", {"f": {"tags": 3.5}}, "$f"),
        ("subscription($t: [String!]) { messageAdded(filter: {tags: $t}) { id } }", {"t": ["x\ud800"]},
         "`filter.tags[0]`"),
        ('subscription { messageAdded(filter: {topic: "/x\ud800"}) { id } }', None, "`filter.topic`"),
        ('subscription { messageAdded(filter: {topic: "/Nowhere"}) { id } }', None, "Unknown topic"),
        ('subscription { messageEvents(after: "bm9wZQ") { cursor } }', None, "not a cursor"),
        # ids whose number no key can hold (beyond 64 bits, or 32 on the way to SQL)
        ("subscription($x: ID!) { messageAdded(filter: {ids: [$x]}) { id } }", {"x": TOO_BIG_MESSAGE}, "ids"),
        ("subscription($x: ID!) { messageEvents(filter: {conversation: $x}) { cursor } }",
         {"x": TOO_BIG_CONVERSATION}, "conversation"),
        ("subscription($x: ID!) { messageAdded(filter: {inReplyTo: $x}) { id } }", {"x": TOO_BIG_MESSAGE}, "inReplyTo"),
    ]  # fmt: skip
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert (await frame(ws))["type"] == "connection_ack"
        for number, (query, variables, says) in enumerate(bad):
            message = {"query": query, "variables": variables}
            await ws.send(json.dumps({"id": f"bad-{number}", "type": "subscribe", "payload": message}))
            answer = await frame(ws)
            assert answer["id"] == f"bad-{number}" and answer["type"] == "error", (query, answer)
            [error] = answer["payload"]
            assert says in error["message"], (query, error)
            assert error["extensions"]["code"] == "INVALID_INPUT", (query, error)

        # the same socket still serves a valid subscription, and the bad ids can be reused
        valid = 'subscription { messageAdded(filter: {topic: "/News"}) { text } }'
        admin = (await post(live_server, LOGIN, {}))["login"]["token"]
        await post(live_server, TOPIC, {}, admin)
        await ws.send(json.dumps({"id": "bad-0", "type": "subscribe", "payload": {"query": valid}}))
        await asyncio.sleep(0.3)
        sent = SEND.replace("conversation: $c", "topic: $c")
        await post(
            live_server, sent.replace("$c: ID!", "$c: String!"), {"c": "/News", "t": "still open"}, admin
        )
        answer = await frame(ws)
        assert answer == {
            "id": "bad-0",
            "type": "next",
            "payload": {"data": {"messageAdded": {"text": "still open"}}},
        }

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    ]
    assert not [r for r in caplog.records if r.exc_info], "expected errors logged with a traceback"


async def test_a_token_no_string_can_be_is_refused_with_4403(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    for payload in ({"Authorization": "Bearer x\ud800"}, {"token": "x\udfff"}, {"token": "a\x00b"}):
        async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403, payload
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
