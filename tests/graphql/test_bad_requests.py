"""Forged cursors and malformed HTTP requests are INVALID_INPUT (JSON, with a code), never
INTERNAL and never a plain-text or crashed response."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Api
from tests.graphql.test_bad_input import body, build_world, post


def forged(payload: str) -> str:
    return base64.urlsafe_b64encode(f"k1:{payload}".encode()).decode().rstrip("=")


FORGED = [
    "[99999999999999999999999,1]",
    '["a","b"]',
    '[{"$dt":"x"},1]',
    "[null,null]",
    "[1.5,2]",
    "[true,1]",
    '[{"$dt":"2026-01-01T00:00:00"},1]',  # a naive date
    '[{"$dt":"2026-01-01T00:00:00+00:00"},99999999999999999999]',
    '[{"$dt":"2026-01-01T00:00:00+00:00"},2147483648]',
    '["x\\ud800",1]',
    '["x\\u0000",1]',
    "[NaN,1]",
]


async def test_forged_cursors_are_invalid_input(app: Any, api: Api) -> None:
    w, message, conv, bob = await build_world(api)
    staff = await w.group("admin", "staff", ["bob"])
    lists = [
        "query($a: String) { messages(after: $a) { totalCount } }",
        "query($a: String) { messages(before: $a, last: 2) { totalCount } }",
        "query($a: String) { messages(after: $a, orderBy: [{field: VOTES_UP}]) { totalCount } }",
        "query($a: String) { messages(after: $a, orderBy: [{field: TEXT, direction: ASC}]) { totalCount } }",
        'query($a: String) { messages(after: $a, filter: {text: "hello"}) { totalCount } }',
        "query($a: String) { conversations(after: $a) { totalCount } }",
        "query($a: String) { topics(after: $a) { totalCount } }",
        "query($a: String) { groups(after: $a) { totalCount } }",
        'query($a: String) { group(name: "staff") { members(after: $a) { totalCount } } }',
    ]
    assert staff
    for query in lists:
        for payload in FORGED:
            result = await post(api, body(query, {"a": forged(payload)}), w.tokens["admin"])
            codes = [e["extensions"]["code"] for e in result.get("errors", [])]
            assert codes in ([], ["INVALID_INPUT"]), (query, payload, result)


async def test_malformed_requests_get_json_errors(api: Api) -> None:
    cases: list[tuple[bytes, dict[str, str], int, str]] = [
        (b'{"query": "{ viewer { id } }", "operationName": "Nope"}', {}, 400, "INVALID_INPUT"),
        (b'{"query": "subscription { messageAdded { id } }"}', {}, 400, "INVALID_INPUT"),
        (b'"just a string"', {}, 400, "INVALID_INPUT"),
        (b"5", {}, 400, "INVALID_INPUT"),
        (b"{not json", {}, 400, "INVALID_INPUT"),
        (b"[" * 100_000 + b"]" * 100_000, {}, 400, "INVALID_INPUT"),  # not a RecursionError's 500
        (
            b'{"query": "{ viewer { id } }", "x": ' + b"[" * 2000 + b"]" * 2000 + b"}",
            {},
            400,
            "INVALID_INPUT",
        ),
        (b'{"variables": {}}', {}, 400, "INVALID_INPUT"),
        (b'{"query": "{ viewer { id } }"}', {"authorization": "Bearer not-a-token"}, 401, "UNAUTHENTICATED"),
    ]
    for content, headers, status, code in cases:
        response = await api.client.post(
            "/graphql", content=content, headers={"content-type": "application/json", **headers}
        )
        assert response.status_code == status, (content, response.text)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == code and error["message"], (content, error)


async def test_a_long_chain_of_fragments_is_an_invalid_document(api: Api) -> None:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(300))
    query = "query { ...F0 } " + chain + " fragment F300 on Query { viewer { id } }"
    errors = await api.errors(query)
    assert errors[0]["message"] == "The document nests fragments too deeply."
    assert all(e["extensions"]["code"] == "INVALID_INPUT" for e in errors)
    assert not any("recursion" in e["message"] for e in errors)
