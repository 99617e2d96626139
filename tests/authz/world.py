"""The authorization matrix's world, built through the API itself as the admin and its users.

Roles (one user each, `anonymous` has no token):
  stranger     logged in, no grant, in no group, conversation, notice or audience
  reader       READ on /Secret, in the group `crew`, in the conversation, the notice's recipient
  writer       WRITE on /Secret, in `crew`, started the conversation, owns /Private/walt
  topic_admin  ADMIN on /Secret (and on /News)
  admin        the system admin (`admin` right)
  system       the `system.message` right: sent the notice, owns the announcement

Objects (keys of `World.ids`), and who may see them (`VISIBLE`):
  topic:secret, msg:secret    the private topic /Secret and a message in it (by writer)
  topic:news, msg:news        the read-only public topic /News and a message in it (by admin)
  msg:reply                   writer's reply to msg:secret (which reader likes)
  private:<role>, tasks:<role>  each user's /Private/<name> and /Private/<name>/Tasks
  topic:private-root          /Private itself (a system admin's, like every topic but users' spaces)
  msg:private                 a message in writer's private space (private:writer)
  task                        writer's task copy of msg:secret (in tasks:writer)
  conversation, msg:chat      writer and reader's conversation and a message in it
  msg:notice                  system's inbox notice to reader
  announcement                system's announcement to `crew` (reader has confirmed it)
  group                       the group `crew`
  user:<role>                 each account
  confirmation                reader's confirmation of the announcement
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.conftest import ADMIN_PASSWORD, Api

ROLES = ("anonymous", "stranger", "reader", "writer", "topic_admin", "admin", "system")
USERNAMES = {
    "stranger": "stan",
    "reader": "rita",
    "writer": "walt",
    "topic_admin": "tara",
    "admin": "admin",
    "system": "sys",
}
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
SECRET_READERS = frozenset({"reader", "writer", "topic_admin", "admin"})

VISIBLE: dict[str, frozenset[str]] = {
    "topic:secret": SECRET_READERS,
    "msg:secret": SECRET_READERS,
    "msg:reply": SECRET_READERS,
    "topic:news": EVERYONE,
    "msg:news": EVERYONE,
    "topic:private-root": frozenset({"admin"}),
    "msg:private": frozenset({"writer"}),  # not even the admin: other users' private spaces
    "task": frozenset({"writer"}),
    "conversation": frozenset({"writer", "reader"}),
    "msg:chat": frozenset({"writer", "reader"}),
    "msg:notice": frozenset({"system", "reader"}),  # its author and its recipient
    "announcement": frozenset({"reader", "writer", "system", "admin"}),  # audience, owner, admins
    "confirmation": frozenset({"system", "admin"}),  # the announcement's owner and admins
    "group": SIGNED_IN,  # a directory for signed-in users
    **{f"user:{role}": SIGNED_IN for role in SIGNED_IN},
    **{f"{space}:{role}": frozenset({role}) for role in SIGNED_IN for space in ("private", "tasks")},
}
MESSAGES = ("msg:secret", "msg:reply", "msg:news", "msg:private", "task", "msg:chat", "msg:notice")
TOPICS = ("topic:secret", "topic:news", "topic:private-root") + tuple(
    f"{space}:{role}" for role in sorted(SIGNED_IN) for space in ("private", "tasks")
)
USERS = tuple(f"user:{role}" for role in sorted(SIGNED_IN))


def visible(role: str, keys: tuple[str, ...] | list[str]) -> set[str]:
    return {k for k in keys if role in VISIBLE[k]}


@dataclass
class World:
    tokens: dict[str, str | None]
    user_ids: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    def key_of(self, global_id: str) -> str:
        """The world key of an id, or the id itself when it is none of the world's objects."""
        for key, value in self.ids.items():
            if value == global_id:
                return key
        return global_id


async def ok(api: Api, token: str | None, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The single root field's result, which must not be an error member."""
    data = await api.run(document, variables or {}, token)
    (result,) = data.values()
    assert not (isinstance(result, dict) and "code" in result), result
    return result


async def build_world(api: Api) -> World:
    login = await api.login("admin", ADMIN_PASSWORD)
    tokens: dict[str, str | None] = {"anonymous": None, "admin": login["token"]}
    user_ids = {"admin": login["user"]["id"]}
    for role, name in USERNAMES.items():
        if role != "admin":
            tokens[role], user_ids[role] = await api.register(name)
    world = World(tokens, user_ids)
    admin, writer, system = tokens["admin"], tokens["writer"], tokens["system"]

    await ok(
        api,
        admin,
        """mutation($u: ID!) { grantRight(input: {user: $u, right: "system.message"}) {
          __typename ... on Error { code message } } }""",
        {"u": user_ids["system"]},
    )
    group = await ok(
        api,
        admin,
        """mutation($m: [ID!]) { createGroup(input: {name: "crew", members: $m}) {
          ... on CreateGroupSuccess { group { id } } ... on Error { code message } } }""",
        {"m": [user_ids["reader"], user_ids["writer"]]},
    )
    world.ids["group"] = group["group"]["id"]
    for path, read_only in (("/Secret", False), ("/News", True)):
        created = await ok(
            api,
            admin,
            """mutation($p: String!, $r: Boolean!) { createTopic(input: {path: $p, readOnly: $r}) {
              ... on CreateTopicSuccess { topic { id } } ... on Error { code message } } }""",
            {"p": path, "r": read_only},
        )
        world.ids["topic:" + path.strip("/").lower()] = created["topic"]["id"]
    for path, role, who in (
        ("/Secret", "READ", "reader"),
        ("/Secret", "WRITE", "writer"),
        ("/Secret", "ADMIN", "topic_admin"),
        ("/News", "ADMIN", "topic_admin"),
    ):
        await ok(
            api,
            admin,
            """mutation($p: String!, $r: TopicRole!, $u: [ID!]) {
              setTopicAccess(input: {topic: $p, role: $r, users: $u}) {
                __typename ... on Error { code message } } }""",
            {"p": path, "r": role, "u": [user_ids[who]]},
        )
    for key, token, path, text in (
        ("msg:secret", writer, "/Secret", "secret plans #plan"),
        ("msg:news", admin, "/News", "public news #plan"),
        ("msg:private", writer, "/Private/walt", "dear diary #plan"),
    ):
        sent = await ok(
            api,
            token,
            """mutation($p: String!, $x: String!) { sendMessage(input: {topic: $p, text: $x}) {
              ... on Message { id topic { id } } ... on Error { code message } } }""",
            {"p": path, "x": text},
        )
        world.ids[key] = sent["id"]
    reply = await ok(
        api,
        writer,
        """mutation($m: ID!) { sendMessage(input: {topic: "/Secret", text: "a reply #plan",
            inReplyTo: {id: $m}}) { ... on Message { id } ... on Error { code message } } }""",
        {"m": world.ids["msg:secret"]},
    )
    world.ids["msg:reply"] = reply["id"]
    await ok(
        api,
        tokens["reader"],
        """mutation($m: ID!) { like(input: {ref: {id: $m}, liked: true}) {
          __typename ... on Error { code message } } }""",
        {"m": world.ids["msg:secret"]},
    )
    await ok(
        api,
        writer,
        """mutation($m: ID!) { setTask(input: {ref: {id: $m}, task: true}) {
          __typename ... on Error { code message } } }""",
        {"m": world.ids["msg:secret"]},
    )
    tasks = await ok(api, writer, "{ tasks { edges { node { id } } } }")
    world.ids["task"] = tasks["edges"][0]["node"]["id"]
    conversation = await ok(
        api,
        writer,
        """mutation($p: [ID!]!) { createConversation(input: {participants: $p, title: "pair"}) {
          ... on CreateConversationSuccess { conversation { id } } ... on Error { code message } } }""",
        {"p": [user_ids["reader"]]},
    )
    world.ids["conversation"] = conversation["conversation"]["id"]
    chat = await ok(
        api,
        writer,
        """mutation($c: ID!) { sendMessage(input: {conversation: $c, text: "just us #plan"}) {
          ... on Message { id } ... on Error { code message } } }""",
        {"c": world.ids["conversation"]},
    )
    world.ids["msg:chat"] = chat["id"]
    notice = await ok(
        api,
        system,
        """mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "a notice #plan"}) {
          ... on SendNoticeSuccess { notice { id } } ... on Error { code message } } }""",
        {"u": [user_ids["reader"]]},
    )
    world.ids["msg:notice"] = notice["notice"]["id"]
    world.ids["announcement"] = await publish_announcement(api, system, world.ids["group"])
    await ok(
        api,
        tokens["reader"],
        """mutation($a: ID!) { confirmAnnouncement(input: {id: $a, version: 1}) {
          __typename ... on Error { code message } } }""",
        {"a": world.ids["announcement"]},
    )
    confirmations = await ok(
        api,
        system,
        """query($a: ID!) { node(id: $a) { ... on Announcement {
          confirmations { edges { node { id } } } } } }""",
        {"a": world.ids["announcement"]},
    )
    world.ids["confirmation"] = confirmations["confirmations"]["edges"][0]["node"]["id"]
    for role in SIGNED_IN:
        world.ids[f"user:{role}"] = user_ids[role]
        for space, path in (
            ("private", f"/Private/{USERNAMES[role]}"),
            ("tasks", f"/Private/{USERNAMES[role]}/Tasks"),
        ):
            found = await ok(api, tokens[role], "query($p: String!) { topic(path: $p) { id } }", {"p": path})
            world.ids[f"{space}:{role}"] = found["id"]
    root = await ok(api, admin, '{ topic(path: "/Private") { id } }')
    world.ids["topic:private-root"] = root["id"]
    return world


async def publish_announcement(api: Api, token: str | None, group_id: str, title: str = "Maintenance") -> str:
    published = await ok(
        api,
        token,
        """mutation($g: [ID!], $t: String!) { publishAnnouncement(input: {
            title: [{locale: "en", text: $t}], body: [{locale: "en", text: "Sunday"}],
            confirmation: [{locale: "en", text: "Understood"}], audience: $g}) {
          ... on PublishAnnouncementSuccess { announcement { id } } ... on Error { code message } } }""",
        {"g": [group_id], "t": title},
    )
    return str(published["announcement"]["id"])
