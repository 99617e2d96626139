"""Bad input is a typed InvalidInputError or a top-level INVALID_INPUT error, never INTERNAL,
and writes nothing: lone surrogates, out-of-range global ids, DateTimes without a timezone."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import func, select
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from tests.conftest import Api
from tests.graphql.topic_helpers import World

LONE = "x\ud800y"


async def row_counts(app: Any) -> dict[str, int]:
    """Rows per table: what "nothing was written" means here."""
    async with app.state.services.db.read() as session:
        return {
            table.name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


async def post(api: Api, body: str, token: str | None) -> dict[str, Any]:
    """Send a JSON body as is, so `\\ud800` escapes reach the server untouched."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await api.client.post("/graphql", content=body.encode(), headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def body(query: str, variables: dict[str, Any] | None = None) -> str:
    # json.dumps writes a lone surrogate as the escape `\ud800`, exactly what a fuzzer sends
    return json.dumps({"query": query, "variables": variables or {}})


async def build_world(api: Api) -> tuple[World, str, str, str]:
    """A world with a /Team message and a conversation between alice and bob."""
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice", "bob"])
    message = (await w.send_ok("alice", "/Team", "hello #tag"))["id"]
    conv = await w.run(
        "alice",
        """mutation($p: [ID!]!) { createConversation(input: {participants: $p}) {
             ... on CreateConversationSuccess { conversation { id } } } }""",
        {"p": [w.ids["bob"]]},
    )
    return w, message, conv["createConversation"]["conversation"]["id"], w.ids["bob"]


TYPED = "__typename ... on Error { code message } ... on InvalidInputError { field }"


async def test_a_lone_surrogate_nul_or_nan_in_any_argument_is_invalid_input(app: Any, api: Api) -> None:
    w, message, conv, bob = await build_world(api)
    # (who, document, variables, the argument the error must name, typed result field or None)
    cases: list[tuple[str | None, str, dict[str, Any], str, str | None]] = [
        (None, f"mutation($i: RegisterInput!) {{ register(input: $i) {{ {TYPED} }} }}",
         {"i": {"username": LONE, "password": "password-123"}}, "input.username", "register"),
        (None, f"mutation($i: RegisterInput!) {{ register(input: $i) {{ {TYPED} }} }}",
         {"i": {"username": "zed", "password": f"password-{LONE}"}}, "input.password", "register"),
        (None, 'mutation($p: String!) { login(input: {username: "alice", password: $p}) { __typename } }',
         {"p": LONE}, "input.password", None),
        ("alice", f"mutation($c: ID!, $t: String!) {{ sendMessage(input: {{conversation: $c, text: $t}}) {{ {TYPED} }} }}",
         {"c": conv, "t": LONE}, "input.text", "sendMessage"),
        ("alice", f"mutation($l: [LabelInput!]) {{ sendMessage(input: {{topic: \"/Team\", text: \"hi\", labels: $l}}) {{ {TYPED} }} }}",
         {"l": [{"text": LONE, "color": "#fff"}]}, "input.labels[0].text", "sendMessage"),
        ("alice", f"mutation($t: [TranslationInput!]) {{ sendMessage(input: {{topic: \"/Team\", text: \"hi\", translations: $t}}) {{ {TYPED} }} }}",
         {"t": [{"locale": "de", "text": LONE}]}, "input.translations[0].text", "sendMessage"),
        ("alice", f"mutation($m: ID!, $c: String!) {{ react(input: {{ref: {{id: $m}}, content: $c}}) {{ {TYPED} }} }}",
         {"m": message, "c": LONE}, "input.content", "react"),
        ("alice", f"mutation($m: ID!, $a: String!) {{ editMessage(input: {{ref: {{id: $m}}, append: $a}}) {{ {TYPED} }} }}",
         {"m": message, "a": LONE}, "input.append", "editMessage"),
        ("admin", f"mutation($e: JSON) {{ setTopicParameters(input: {{topic: \"/Team\", extra: $e}}) {{ {TYPED} }} }}",
         {"e": {"oncall": [LONE]}}, "input.extra.oncall[0]", "setTopicParameters"),
        ("alice", "query($t: [String!]) { messages(filter: {tags: $t}) { totalCount } }",
         {"t": ["ok", LONE]}, "filter.tags[1]", None),
        ("alice", "mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { __typename } }",
         {"i": [{"topic": "/Team", "text": "fine"}, {"topic": "/Team", "text": LONE}]}, "inputs[1].text", None),
        # inline literals: graphql-core's lexer refuses them; the error still names the argument
        ("admin", 'mutation { createTopic(input: {path: "/Team/x\ud800y"}) { __typename } }', {}, "input.path", None),
        ("alice", '{ user(username: "x\ud800y") { id } }', {}, "username", None),
        ("alice", '{ messages(filter: {topic: "/Team", labels: ["a", "b\\ud800"]}) { totalCount } }', {},
         "filter.labels", None),
        ("admin", 'mutation { createGroup(input: {name: "ops\\udc00"}) { __typename } }', {}, "input.name", None),
        # NUL (PostgreSQL text refuses it) and NaN (PostgreSQL JSON refuses it) are refused alike
        ("alice", f"mutation($t: String!) {{ sendMessage(input: {{topic: \"/Team\", text: $t}}) {{ {TYPED} }} }}",
         {"t": "a\x00b"}, "input.text", "sendMessage"),
        ("alice", '{ user(username: "a\\u0000b") { id } }', {}, "username", None),
        ("alice", '{ user(username: "a\x00b") { id } }', {}, "username", None),
        ("admin", f"mutation($e: JSON) {{ setTopicParameters(input: {{topic: \"/Team\", extra: $e}}) {{ {TYPED} }} }}",
         {"e": {"ratio": float("nan")}}, "input.extra.ratio", "setTopicParameters"),
    ]  # fmt: skip
    before = await row_counts(app)
    for who, query, variables, argument, typed in cases:
        result = await post(api, body(query, variables), w.tokens[who] if who else None)
        if typed:
            assert "errors" not in result, (argument, result)
            error = result["data"][typed]
            assert error["__typename"] == "InvalidInputError", (argument, error)
            assert error["field"] == argument
        else:
            [error] = result["errors"]
            assert error["extensions"]["code"] == "INVALID_INPUT", (argument, error)
            assert error["extensions"]["field"] == argument, (argument, error)
        assert f"`{argument}`" in error["message"], (argument, error)
        assert any(what in error["message"] for what in ("lone surrogate (U+D", "NUL", "not finite")), error
    assert await row_counts(app) == before


def global_id(type_name: str, number: str) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


BAD_NUMBERS = ["9223372036854775808", "2147483648", "99999999999999999999999", "-1", "1e3", "٣", "007", ""]


async def test_global_ids_out_of_range_or_malformed_are_not_found_or_invalid(app: Any, api: Api) -> None:
    w, message, conv, bob = await build_world(api)
    await w.run(
        "admin", 'mutation($u: ID!) { grantRight(input: {user: $u, right: "system.message"}) { __typename } }',
        {"u": w.ids["admin"]},
    )  # fmt: skip
    w.tokens["admin"] = (await api.login("admin", "admin-password-1"))["token"]
    # (document with $x, the type of the id, the result field when it is a union)
    cases: list[tuple[str, str, str | None]] = [
        ("query($x: ID!) { node(id: $x) { id } }", "Message", None),
        ("query($x: ID!) { nodes(ids: [$x]) { id } }", "User", None),
        ("query($x: ID!) { message(id: $x) { id } }", "Message", None),
        ("query($x: ID!) { messagesByIds(ids: [$x]) { __typename } }", "Message", None),
        ("query($x: ID!) { conversation(id: $x) { id } }", "Conversation", None),
        ("query($x: ID!) { messages(filter: {ids: [$x]}) { totalCount } }", "Message", None),
        ("query($x: ID!) { messages(filter: {conversation: $x}) { totalCount } }", "Conversation", None),
        ("query($x: ID!) { messages(filter: {inReplyTo: $x}) { totalCount } }", "Message", None),
        ("query($x: ID!) { messageCount(filter: {root: $x}) }", "Message", None),
        (f"mutation($x: ID!) {{ sendMessage(input: {{conversation: $x, text: \"hi\"}}) {{ {TYPED} }} }}", "Conversation", "sendMessage"),
        (f"mutation($x: ID!) {{ sendMessage(input: {{topic: \"/Team\", text: \"hi\", inReplyTo: {{id: $x}}}}) {{ {TYPED} }} }}", "Message", "sendMessage"),
        (f"mutation($x: ID!) {{ markRead(input: {{ids: [$x]}}) {{ {TYPED} }} }}", "Message", "markRead"),
        (f"mutation($x: ID!) {{ markRead(input: {{conversation: \"{conv}\", upTo: $x}}) {{ {TYPED} }} }}", "Message", "markRead"),
        (f"mutation($x: ID!) {{ markRead(input: {{filter: {{root: $x}}}}) {{ {TYPED} }} }}", "Message", "markRead"),
        (f"mutation($x: ID!) {{ createGroup(input: {{name: \"g\", members: [$x]}}) {{ {TYPED} }} }}", "User", "createGroup"),
        (f"mutation($x: ID!) {{ setGroupMembers(input: {{group: $x, add: []}}) {{ {TYPED} }} }}", "Group", "setGroupMembers"),
        (f"mutation($x: ID!) {{ grantRight(input: {{user: $x, right: \"system\"}}) {{ {TYPED} }} }}", "User", "grantRight"),
        (f"mutation($x: ID!) {{ publishAnnouncement(input: {{title: [{{locale: \"en\", text: \"t\"}}], body: [{{locale: \"en\", text: \"b\"}}], audience: [$x]}}) {{ {TYPED} }} }}", "Group", "publishAnnouncement"),
        (f"mutation($x: ID!) {{ confirmAnnouncement(input: {{id: $x, version: 1}}) {{ {TYPED} }} }}", "Announcement", "confirmAnnouncement"),
        (f"mutation($x: ID!) {{ deleteAnnouncement(input: {{id: $x}}) {{ {TYPED} }} }}", "Announcement", "deleteAnnouncement"),
        # a message addressed by `ref: {id}`, in every mutation that takes one
        (f"mutation($x: ID!) {{ editMessage(input: {{ref: {{id: $x}}, text: \"x\"}}) {{ {TYPED} }} }}", "Message", "editMessage"),
        (f"mutation($x: ID!) {{ deleteMessage(input: {{ref: {{id: $x}}}}) {{ {TYPED} }} }}", "Message", "deleteMessage"),
        (f"mutation($x: ID!) {{ vote(input: {{ref: {{id: $x}}, direction: UP}}) {{ {TYPED} }} }}", "Message", "vote"),
        (f"mutation($x: ID!) {{ like(input: {{ref: {{id: $x}}, liked: true}}) {{ {TYPED} }} }}", "Message", "like"),
        (f"mutation($x: ID!) {{ react(input: {{ref: {{id: $x}}, content: \"+1\"}}) {{ {TYPED} }} }}", "Message", "react"),
        (f"mutation($x: ID!) {{ setTask(input: {{ref: {{id: $x}}, task: true}}) {{ {TYPED} }} }}", "Message", "setTask"),
        (f"mutation($x: ID!) {{ moveMessage(input: {{ref: {{id: $x}}, toTopic: \"/Team\"}}) {{ {TYPED} }} }}", "Message", "moveMessage"),
        (f"mutation($x: ID!) {{ labelMessage(input: {{ref: {{id: $x}}, add: [{{text: \"l\", color: \"#fff\"}}]}}) {{ {TYPED} }} }}", "Message", "labelMessage"),
        # ids of people, groups and places in the other inputs
        (f"mutation($x: ID!) {{ setTopicAccess(input: {{topic: \"/Team\", role: READ, users: [$x]}}) {{ {TYPED} }} }}", "User", "setTopicAccess"),
        (f"mutation($x: ID!) {{ setTopicAccess(input: {{topic: \"/Team\", role: READ, groups: [$x]}}) {{ {TYPED} }} }}", "Group", "setTopicAccess"),
        (f"mutation($x: ID!) {{ createConversation(input: {{participants: [$x]}}) {{ {TYPED} }} }}", "User", "createConversation"),
        (f"mutation($x: ID!) {{ sendNotice(input: {{users: [$x], text: \"n\"}}) {{ {TYPED} }} }}", "User", "sendNotice"),
        (f"mutation($x: ID!) {{ sendNotice(input: {{groups: [$x], text: \"n\"}}) {{ {TYPED} }} }}", "Group", "sendNotice"),
        (f"mutation($x: ID!) {{ publishAnnouncement(input: {{id: $x, title: [{{locale: \"en\", text: \"t\"}}]}}) {{ {TYPED} }} }}", "Announcement", "publishAnnouncement"),
        (f"mutation($x: ID!) {{ publishAnnouncement(input: {{title: [{{locale: \"en\", text: \"t\"}}], body: [{{locale: \"en\", text: \"b\"}}], owner: $x}}) {{ {TYPED} }} }}", "User", "publishAnnouncement"),
        (f"mutation($x: ID!) {{ sendMessages(inputs: [{{conversation: $x, text: \"hi\"}}]) {{ {TYPED} }} }}", "Conversation", "sendMessages"),
        (f"mutation($x: ID!) {{ deleteMessages(input: {{filter: {{ids: [$x]}}}}) {{ {TYPED} }} }}", "Message", "deleteMessages"),
        (f"mutation($x: ID!) {{ labelMessages(input: {{filter: {{root: $x}}, add: [{{text: \"l\", color: \"#fff\"}}]}}) {{ {TYPED} }} }}", "Message", "labelMessages"),
    ]  # fmt: skip
    before = await row_counts(app)
    for query, type_name, typed in cases:
        for number in BAD_NUMBERS:
            x = global_id(type_name, number)
            response = await api.raw(query, {"x": x}, w.tokens["admin"])
            result = response.json()
            codes = [e.get("extensions", {}).get("code") for e in result.get("errors", [])]
            assert set(codes) <= {"INVALID_INPUT", "NOT_FOUND"}, (query, number, result)
            if typed:
                answer = result["data"][typed]
                for item in answer if isinstance(answer, list) else [answer]:  # sendMessages: a list
                    assert item["__typename"] in ("InvalidInputError", "NotFoundError"), (
                        query,
                        number,
                        result,
                    )
            elif not codes:  # a lookup: nothing there
                data = result["data"]
                assert data in (
                    {"node": None},
                    {"nodes": [None]},
                    {"message": None},
                    {"conversation": None},
                    {"messagesByIds": [{"__typename": "NotFoundError"}]},
                ), (query, number, result)
    assert await row_counts(app) == before


NAIVE = ["2026-01-01T00:00:00", "2026-01-01"]


async def test_datetimes_without_a_timezone_are_utc(app: Any, api: Api) -> None:
    w, message, conv, bob = await build_world(api)
    count = "query($f: MessageFilter) { messageCount(filter: $f) }"
    for value in NAIVE:
        for field in ("createdAfter", "createdBefore"):  # whichever way the clock says, no error
            data = await w.run("alice", count, {"f": {"topic": "/Team", field: value}})
            assert isinstance(data["messageCount"], int)
        assert (await w.run("alice", count, {"f": {"topic": "/Team", "createdAfter": "2000-01-01"}}))[
            "messageCount"
        ] == 1
        assert (
            await w.run("alice", count, {"f": {"topic": "/Team", "createdBefore": "2000-01-01T00:00:00"}})
        )["messageCount"] == 0
        inline = await api.run(
            f'{{ messageCount(filter: {{topic: "/Team", createdAfter: "{value}", createdBefore: "2999-01-01"}}) }}',
            token=w.tokens["alice"],
        )
        assert isinstance(inline["messageCount"], int)

    await w.run(
        "admin", 'mutation($u: ID!) { grantRight(input: {user: $u, right: "system"}) { __typename } }',
        {"u": w.ids["alice"]},
    )  # fmt: skip
    w.tokens["alice"] = (await api.login("alice", "password-123"))["token"]
    await w.params("admin", "/Team", canForceDate=True)
    dated = await w.send_ok("alice", "/Team", "back-dated", createdAt="2020-01-02T03:04:05")
    assert dated["createdAt"] == "2020-01-02T03:04:05+00:00"
    day = await w.send_ok("alice", "/Team", "a day", createdAt="2020-01-03")
    assert day["createdAt"] == "2020-01-03T00:00:00+00:00"
    offset = await w.send_ok("alice", "/Team", "offset", createdAt="2020-01-03T02:00:00+02:00")
    assert offset["createdAt"] == "2020-01-03T00:00:00+00:00"  # always answered in UTC
    window = {"topic": "/Team", "createdAfter": "2020-01-02", "createdBefore": "2020-01-02T23:59:59"}
    assert (await w.run("alice", count, {"f": window}))["messageCount"] == 1

    await w.run(
        "admin", 'mutation($u: ID!) { grantRight(input: {user: $u, right: "system.message"}) { __typename } }',
        {"u": w.ids["admin"]},
    )  # fmt: skip
    w.tokens["admin"] = (await api.login("admin", "admin-password-1"))["token"]
    staff = await w.group("admin", "staff", ["bob"])
    published = await w.run(
        "admin",
        """mutation($i: PublishAnnouncementInput!) { publishAnnouncement(input: $i) { __typename
             ... on Error { code message } ... on PublishAnnouncementSuccess { announcement { startsAt endsAt } } } }""",
        {"i": {"title": [{"locale": "en", "text": "t"}], "body": [{"locale": "en", "text": "b"}],
               "audience": [staff], "startsAt": "2026-01-01", "endsAt": "2999-01-01T00:00:00"}},
    )  # fmt: skip
    announcement = published["publishAnnouncement"]["announcement"]
    assert announcement == {"startsAt": "2026-01-01T00:00:00+00:00", "endsAt": "2999-01-01T00:00:00+00:00"}

    # what is not a date at all stays a variable error, never INTERNAL
    for bad in ("yesterday", "2026-13-01", "0001-01-01T00:00:00+01:00", 20260101):
        response = await api.raw(count, {"f": {"createdAfter": bad}}, w.tokens["alice"])
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", error
