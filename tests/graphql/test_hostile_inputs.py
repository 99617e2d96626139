"""What a hostile or buggy client sends into labels, reactions and idempotency keys is refused with
a typed error, and nothing is written: control and bidirectional-control characters, more labels
than a message holds, a clientMutationId reused for another message."""

from __future__ import annotations

import pytest

from app.domain.message_text import MAX_LABELS_PER_MESSAGE
from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send, send_ok
from tests.graphql.topic_helpers import World

REACT = """mutation($id: ID!, $c: String!) { react(input: {ref: {id: $id}, content: $c}) {
  __typename ... on Error { code } ... on Message { reactions { content } } } }"""
LABEL = """mutation($input: LabelMessageInput!) { labelMessage(input: $input) {
  __typename ... on Error { code message } ... on LabelMessageSuccess { labeled { labels { text } } } } }"""
HIDDEN = ["\u202eevil", "a\u0000b", "tab\there", "x\u2066y", "\u200fmark", "bell\u0007"]


@pytest.mark.parametrize("content", HIDDEN)
async def test_reactions_refuse_control_and_bidi_characters(api: Api, content: str) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    mid = await send_ok(api, alice, await create_conversation(api, alice, [bob]), "hi")
    assert (await api.run(REACT, {"id": mid, "c": content}, alice))["react"] == {
        "__typename": "InvalidInputError",
        "code": "INVALID_INPUT",
    }
    ok = await api.run(REACT, {"id": mid, "c": "👨\u200d👩\u200d👧"}, alice)  # joiners are fine
    assert ok["react"]["reactions"] == [{"content": "👨\u200d👩\u200d👧"}]


async def test_labels_refuse_hidden_characters_and_stop_at_the_cap(api: Api) -> None:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice"])
    m = await w.send_ok("alice", "/Team", "build")
    for text in HIDDEN:
        add = {"input": {"ref": {"id": m["id"]}, "add": [{"text": text, "color": "#00f"}]}}
        assert (await w.run("alice", LABEL, add))["labelMessage"]["__typename"] == "InvalidInputError"
    first = [{"text": f"l{i}", "color": "#00f"} for i in range(MAX_LABELS_PER_MESSAGE - 1)]
    ok = await w.run("alice", LABEL, {"input": {"ref": {"id": m["id"]}, "add": first}})
    assert len(ok["labelMessage"]["labeled"]["labels"]) == MAX_LABELS_PER_MESSAGE - 1
    two = [{"text": "x1", "color": "#00f"}, {"text": "x2", "color": "#00f"}]
    over = (await w.run("alice", LABEL, {"input": {"ref": {"id": m["id"]}, "add": two}}))["labelMessage"]
    assert over["__typename"] == "LimitExceededError" and str(MAX_LABELS_PER_MESSAGE) in over["message"]
    swap = {"input": {"ref": {"id": m["id"]}, "remove": ["l0"], "add": two[:1]}}  # one out, one in: fits
    assert (await w.run("alice", LABEL, swap))["labelMessage"]["__typename"] == "LabelMessageSuccess"
    sent = await w.send("alice", "/Team", "many", labels=[*first, *two])
    assert sent["__typename"] == "LimitExceededError"


async def test_a_client_mutation_id_reused_for_another_message_is_a_conflict(api: Api) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    conv = await create_conversation(api, alice, [bob])
    other = await create_conversation(api, alice, [bob], title="other")
    first = await send_ok(api, alice, conv, "once", clientMutationId="k-1")
    assert await send_ok(api, alice, conv, "once", clientMutationId="k-1") == first  # a true retry
    for conversation, text in ((conv, "changed"), (other, "once")):
        result = await send(api, alice, conversation, text, clientMutationId="k-1")
        assert result["__typename"] == "ConflictError", result
