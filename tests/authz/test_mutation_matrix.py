"""The write half of the authorization matrix: every mutation, for every role, against who may do
it. "ok" is the success member, anything else the `code` of the error member (or of the
top-level error). A case that would change the shared world works on something made for it
(`setup`, by a user who may) or is idempotent (granting what is granted, revoking what is not).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.authz.setups import (
    existing_path,
    fresh_announcement,
    fresh_chat_message,
    fresh_notice,
    fresh_secret_message,
    fresh_token,
    new_path,
    nothing,
    someone_else,
    unique_name,
)
from tests.authz.world import ROLES, World
from tests.conftest import Api

pytestmark = pytest.mark.asyncio(loop_scope="module")

Setup = Callable[[Api, World, str], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Write:
    name: str
    document: str
    allowed: frozenset[str]
    refused: dict[str, str] = field(default_factory=dict)  # role -> code (default: NOT_FOUND)
    variables: Callable[[World], dict[str, Any]] = lambda w: {}
    setup: Setup = nothing
    success: str = "ok"  # "ok:<count>" for the mutations that act on what a filter matches

    def __str__(self) -> str:
        return self.name

    def expect(self, role: str) -> str:
        if role in self.allowed:
            return self.success
        if role == "anonymous":
            return self.refused.get(role, "UNAUTHENTICATED")
        return self.refused.get(role, "NOT_FOUND")


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def forbidden(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, "FORBIDDEN")


SIGNED_IN = frozenset(ROLES) - {"anonymous"}
RESULT = "__typename ... on Error { code }"
SECRET_ROLES = ("reader", "writer", "topic_admin", "admin")
WRITERS = roles("writer", "topic_admin", "admin")
DELETED = "... on DeleteMessagesSuccess { count }"
LABELED = "... on LabelMessagesSuccess { count }"
# a filter matches only what the viewer may read: for those who may not, it matches nothing
MATCH_NOTHING = {"stranger": "ok:0", "system": "ok:0"}


def ids_of(**keys: str) -> Callable[[World], dict[str, Any]]:
    """Variables naming world objects by their keys."""
    return lambda w: {name: w.ids[key] for name, key in keys.items()}


MUTATIONS = [
    Write(
        "register",
        f'mutation($name: String!) {{ register(input: {{username: $name, password: "password-123"}}) {{ {RESULT} }} }}',
        frozenset(ROLES),
        setup=unique_name,
    ),
    Write(
        "login",
        f'mutation {{ login(input: {{username: "stan", password: "password-123"}}) {{ {RESULT} }} }}',
        frozenset(ROLES),
    ),
    Write("logout", f"mutation {{ logout {{ {RESULT} }} }}", SIGNED_IN, setup=fresh_token),
    Write(
        "createGroup",
        f"mutation($name: String!) {{ createGroup(input: {{name: $name}}) {{ {RESULT} }} }}",
        SIGNED_IN,
        setup=unique_name,
    ),
    Write(
        "setGroupMembers",
        f"mutation($g: ID!, $u: ID!) {{ setGroupMembers(input: {{group: $g, add: [$u]}}) {{ {RESULT} }} }}",
        roles("admin"),  # the group's creator (the admin here), its admins, system admins
        forbidden("stranger", "reader", "writer", "topic_admin", "system"),
        ids_of(g="group", u="user:reader"),
    ),
    Write(
        "grantRight",
        f'mutation($u: ID!) {{ grantRight(input: {{user: $u, right: "system", revoke: true}}) {{ {RESULT} }} }}',
        roles("admin"),
        forbidden("stranger", "reader", "writer", "topic_admin", "system"),
        ids_of(u="user:stranger"),
    ),
    Write(
        "createConversation",
        f"mutation($u: ID!) {{ createConversation(input: {{participants: [$u]}}) {{ {RESULT} }} }}",
        SIGNED_IN,
        setup=someone_else,
    ),
    Write(
        "createTopic",
        f"mutation($p: String!) {{ createTopic(input: {{path: $p}}) {{ {RESULT} }} }}",
        roles("topic_admin", "admin"),  # admins of the parent
        forbidden("reader", "writer"),
        setup=new_path,
    ),
    Write(
        "createTopic.top",
        f"mutation($t: String!) {{ createTopic(input: {{path: $t}}) {{ {RESULT} }} }}",
        roles("admin"),
        forbidden("stranger", "reader", "writer", "topic_admin", "system"),
        setup=new_path,
    ),
    # Whether a topic exists is told only to those who may create topics where it is: a
    # CONFLICT for anybody else would reveal an unreadable topic.
    Write(
        "createTopic.existing",
        f"mutation($p: String!) {{ createTopic(input: {{path: $p}}) {{ {RESULT} }} }}",
        roles(),
        {"topic_admin": "CONFLICT", "admin": "CONFLICT", **forbidden("reader", "writer")},
        setup=existing_path,
    ),
    Write(
        "createTopic.existingTop",
        f"mutation($t: String!) {{ createTopic(input: {{path: $t}}) {{ {RESULT} }} }}",
        roles(),
        {"admin": "CONFLICT", **forbidden("stranger", "reader", "writer", "topic_admin", "system")},
        setup=existing_path,
    ),
    Write(
        "setTopicAccess",
        f'mutation($u: ID!) {{ setTopicAccess(input: {{topic: "/Secret", role: READ, users: [$u]}}) {{ {RESULT} }} }}',
        roles("topic_admin", "admin"),
        forbidden("reader", "writer"),
        ids_of(u="user:reader"),
    ),
    Write(
        "setTopicParameters",
        f'mutation {{ setTopicParameters(input: {{topic: "/Secret", maxLength: 1000}}) {{ {RESULT} }} }}',
        roles("topic_admin", "admin"),
        forbidden("reader", "writer"),
    ),
    Write(
        "sendMessage",
        f'mutation {{ sendMessage(input: {{topic: "/Secret", text: "hi"}}) {{ {RESULT} }} }}',
        WRITERS,
        forbidden("reader"),
    ),
    Write(
        "sendMessage.readOnly",
        f'mutation {{ sendMessage(input: {{topic: "/News", text: "hi"}}) {{ {RESULT} }} }}',
        roles("topic_admin", "admin"),
        forbidden("stranger", "reader", "writer", "system"),  # readable by all, writable by its admins
    ),
    Write(
        "sendMessage.private",
        f'mutation {{ sendMessage(input: {{topic: "/Private/walt", text: "hi"}}) {{ {RESULT} }} }}',
        roles("writer"),
    ),
    Write(
        "sendMessage.conversation",
        f'mutation($c: ID!) {{ sendMessage(input: {{conversation: $c, text: "hi"}}) {{ {RESULT} }} }}',
        roles("reader", "writer"),
        variables=ids_of(c="conversation"),
    ),
    Write(
        "sendMessages",
        f'mutation {{ sendMessages(inputs: [{{topic: "/Secret", text: "hi"}}]) {{ {RESULT} }} }}',
        WRITERS,
        forbidden("reader"),
    ),
    Write(
        "editMessage",
        f'mutation($m: ID!) {{ editMessage(input: {{ref: {{id: $m}}, append: "!"}}) {{ {RESULT} }} }}',
        roles("writer", "topic_admin", "admin"),  # the author; topic admins (adminCanUpdateAllMessages)
        forbidden("reader"),
        setup=fresh_secret_message,
    ),
    Write(
        "deleteMessage",
        f"mutation($m: ID!) {{ deleteMessage(input: {{ref: {{id: $m}}}}) {{ {RESULT} }} }}",
        roles("writer", "topic_admin", "admin"),
        forbidden("reader"),
        setup=fresh_secret_message,
    ),
    Write(
        "deleteMessages",
        f"mutation($m: ID!) {{ deleteMessages(input: {{filter: {{ids: [$m]}}}}) {{ {RESULT} {DELETED} }} }}",
        roles("writer", "topic_admin", "admin"),
        {**forbidden("reader"), **MATCH_NOTHING},
        setup=fresh_secret_message,
        success="ok:1",
    ),
    Write(
        "moveMessage",
        f'mutation($m: ID!) {{ moveMessage(input: {{ref: {{id: $m}}, toTopic: "/News"}}) {{ {RESULT} }} }}',
        roles("topic_admin", "admin"),  # write access to both topics
        forbidden("reader", "writer"),
        setup=fresh_secret_message,
    ),
    Write(
        "editMessage.conversation",
        f'mutation($m: ID!) {{ editMessage(input: {{ref: {{id: $m}}, append: "!"}}) {{ {RESULT} }} }}',
        roles("writer"),  # the author only
        forbidden("reader"),
        setup=fresh_chat_message,
    ),
    Write(
        "deleteMessage.conversation",
        f"mutation($m: ID!) {{ deleteMessage(input: {{ref: {{id: $m}}}}) {{ {RESULT} }} }}",
        # the author, and system admins as moderators (actions.messages.edit_delete reaches
        # conversations they are not in, by id only)
        roles("writer", "admin"),
        forbidden("reader"),
        setup=fresh_chat_message,
    ),
    Write(
        "deleteMessage.notice",
        f"mutation($m: ID!) {{ deleteMessage(input: {{ref: {{id: $m}}}}) {{ {RESULT} }} }}",
        # its author for everyone, its recipient from their inbox, an admin (moderation, by id,
        # as in conversations) for everyone (docs/inbox-and-announcements.md)
        roles("system", "reader", "admin"),
        setup=fresh_notice,
    ),
    Write(
        "moveMessage.private",
        f'mutation($m: ID!) {{ moveMessage(input: {{ref: {{id: $m}}, toTopic: "/Private/walt"}}) {{ {RESULT} }} }}',
        roles("writer"),  # writes in both; nobody else may even see /Private/walt
        forbidden("reader"),
        setup=fresh_secret_message,
    ),
    Write(
        "like.byTag",
        f'mutation {{ like(input: {{ref: {{topic: "/Secret", tag: "plan"}}, liked: true}}) {{ {RESULT} }} }}',
        roles(*SECRET_ROLES),
    ),
    Write(
        "sendMessage.replyElsewhere",
        f'mutation($m: ID!) {{ sendMessage(input: {{topic: "/Secret", text: "re", inReplyTo: {{id: $m}}}}) {{ {RESULT} }} }}',
        roles(),
        # only a reader of the message learns that it is elsewhere
        {"writer": "INVALID_INPUT", **forbidden("reader")},
        ids_of(m="msg:private"),
    ),
    Write(
        "markRead.conversation",
        f"mutation($c: ID!) {{ markRead(input: {{conversation: $c}}) {{ {RESULT} }} }}",
        roles("reader", "writer"),
        variables=ids_of(c="conversation"),
    ),
    Write(
        "markRead.filter",
        f'mutation {{ markRead(input: {{filter: {{topic: "/Secret"}}}}) {{ {RESULT} }} }}',
        roles(*SECRET_ROLES),
        {"stranger": "INVALID_INPUT", "system": "INVALID_INPUT"},
    ),
    Write(
        "react.notice",
        f'mutation($m: ID!) {{ react(input: {{ref: {{id: $m}}, content: "👍"}}) {{ {RESULT} }} }}',
        roles("system", "reader"),
        variables=ids_of(m="msg:notice"),
    ),
    Write(
        "markRead",
        f"mutation($m: ID!) {{ markRead(input: {{ids: [$m]}}) {{ {RESULT} }} }}",
        roles(*SECRET_ROLES),
        variables=ids_of(m="msg:secret"),
    ),
    Write(
        "labelMessage",
        f'mutation($m: ID!) {{ labelMessage(input: {{ref: {{id: $m}}, add: [{{text: "x", color: "#fff"}}]}}) {{ {RESULT} }} }}',
        WRITERS,
        forbidden("reader"),
        ids_of(m="msg:secret"),
    ),
    Write(
        "labelMessages",
        f'mutation($m: ID!) {{ labelMessages(input: {{filter: {{ids: [$m]}}, add: [{{text: "x", color: "#fff"}}]}}) {{ {RESULT} {LABELED} }} }}',
        WRITERS,
        {**forbidden("reader"), **MATCH_NOTHING},
        ids_of(m="msg:secret"),
        success="ok:1",
    ),
    Write(
        "vote",
        f"mutation($m: ID!) {{ vote(input: {{ref: {{id: $m}}, direction: UP}}) {{ {RESULT} }} }}",
        roles(*SECRET_ROLES),
        variables=ids_of(m="msg:secret"),
    ),
    Write(
        "like",
        f"mutation($m: ID!) {{ like(input: {{ref: {{id: $m}}, liked: true}}) {{ {RESULT} }} }}",
        roles(*SECRET_ROLES),
        variables=ids_of(m="msg:secret"),
    ),
    Write(
        "react",
        f'mutation($m: ID!) {{ react(input: {{ref: {{id: $m}}, content: "👍"}}) {{ {RESULT} }} }}',
        roles(*SECRET_ROLES),
        variables=ids_of(m="msg:secret"),
    ),
    Write(
        "react.conversation",
        f'mutation($m: ID!) {{ react(input: {{ref: {{id: $m}}, content: "👍"}}) {{ {RESULT} }} }}',
        roles("reader", "writer"),
        variables=ids_of(m="msg:chat"),
    ),
    Write(
        "setTask",
        f"mutation($m: ID!) {{ setTask(input: {{ref: {{id: $m}}, task: true}}) {{ {RESULT} }} }}",
        roles(*SECRET_ROLES),
        variables=ids_of(m="msg:reply"),
    ),
    Write(
        "sendNotice",
        f'mutation($u: ID!) {{ sendNotice(input: {{users: [$u], text: "hi"}}) {{ {RESULT} }} }}',
        SIGNED_IN,
        variables=ids_of(u="user:writer"),
    ),
    Write(
        "sendNotice.group",
        f'mutation($g: ID!) {{ sendNotice(input: {{groups: [$g], text: "hi"}}) {{ {RESULT} }} }}',
        roles("reader", "writer", "system", "admin"),  # its members, system.message (admins have every right)
        forbidden("stranger", "topic_admin"),
        ids_of(g="group"),
    ),
    Write(
        "publishAnnouncement",
        f'mutation($g: ID!) {{ publishAnnouncement(input: {{title: [{{locale: "en", text: "t"}}], body: [{{locale: "en", text: "b"}}], audience: [$g]}}) {{ {RESULT} }} }}',
        roles("system", "admin"),  # the system.message right (admins have every right)
        forbidden("stranger", "reader", "writer", "topic_admin"),
        ids_of(g="group"),
    ),
    Write(
        "publishAnnouncement.version",
        f'mutation($a: ID!) {{ publishAnnouncement(input: {{id: $a, body: [{{locale: "en", text: "b2"}}]}}) {{ {RESULT} }} }}',
        roles("system", "admin"),  # its owner, or an admin
        forbidden("stranger", "reader", "writer", "topic_admin"),
        setup=fresh_announcement,
    ),
    Write(
        "deleteAnnouncement",
        f"mutation($a: ID!) {{ deleteAnnouncement(input: {{id: $a}}) {{ {RESULT} }} }}",
        roles("system", "admin"),  # its owner or an admin; its audience may not, as if it were not there
        setup=fresh_announcement,
    ),
    Write(
        "confirmAnnouncement",
        f"mutation($a: ID!) {{ confirmAnnouncement(input: {{id: $a, version: 1}}) {{ {RESULT} }} }}",
        roles("reader", "writer", "system", "admin"),  # whoever sees it: its audience, owner, admins
        variables=ids_of(a="announcement"),
    ),
]


def result_of(body: dict[str, Any]) -> str:
    if body.get("errors"):
        return "/".join(sorted({(e.get("extensions") or {}).get("code", "?") for e in body["errors"]}))
    (value,) = body["data"].values()
    value = value[0] if isinstance(value, list) else value
    if "code" in value:
        return str(value["code"])
    return f"ok:{value['count']}" if "count" in value else "ok"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", MUTATIONS, ids=str)
async def test_mutation(module_api: Api, world: World, write: Write, role: str) -> None:
    made = await write.setup(module_api, world, role)
    token = made.pop("_token") if "_token" in made else world.tokens[role]
    variables = {**write.variables(world), **made}
    response = await module_api.raw(write.document, variables, token)
    assert response.status_code == 200, response.text
    assert result_of(response.json()) == write.expect(role), (write.name, role, response.json())
