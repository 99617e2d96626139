"""The read half of the authorization matrix: every path that reaches an object or counts objects,
for every role, against what the rules in tests/authz/world.py (VISIBLE) say that role may see.

A leak (an id or a count the role may not see) fails, and so does a wrongly refused read. The
rows are checked against the live schema: a root field, or a connection or count on a Node type,
that no row (here, in test_mutation_matrix or test_live_matrix) selects fails
test_every_reaching_field_has_a_row, and a Node type without an object in the world fails
test_every_node_type_is_in_the_world.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from graphql import extend_schema, parse

from app.core.settings import Settings
from tests.authz.matrix import (
    Read,
    counts,
    error,
    fill,
    ids,
    live_schema,
    node_types,
    outcome,
    reaching_fields,
    selected_fields,
)
from tests.authz.test_live_matrix import SUBSCRIPTIONS
from tests.authz.test_mutation_matrix import MUTATIONS
from tests.authz.world import MESSAGES, ROLES, SIGNED_IN, TOPICS, USERS, VISIBLE, World, visible
from tests.conftest import Api

pytestmark = pytest.mark.asyncio(loop_scope="module")

NODES = tuple(VISIBLE)
# node(id) resolves every Node type but AnnouncementConfirmation, which is reached only through
# Announcement.confirmations (its owner and admins; see the row below).
BY_NODE = tuple(k for k in NODES if k != "confirmation")
SECRET = ("msg:secret", "msg:reply")
IN_PRIVATE = ("msg:private",)
TAGGED = ("msg:secret", "msg:reply", "msg:news", "msg:private", "task")  # tags are parsed in topics only


def unauthenticated_for_anonymous(expect: Any) -> Any:
    """Rows that only signed-in users may ask (their own lists): anonymous gets UNAUTHENTICATED."""
    return lambda role: error("UNAUTHENTICATED") if role == "anonymous" else expect(role)


def unknown_unless_readable(place: str, keys: tuple[str, ...]) -> Any:
    """A filter naming a place the viewer may not read is refused exactly as a missing one
    (INVALID_INPUT "Unknown topic ..."; see the filter.*.missing rows)."""
    return lambda role: ids(visible(role, keys)) if role in VISIBLE[place] else error("INVALID_INPUT")


AUTHORED = {"msg:secret": "writer", "msg:reply": "writer", "msg:news": "admin", "msg:private": "writer",
            "task": "writer", "msg:chat": "writer", "msg:notice": "system"}  # fmt: skip


def own(role: str, *keys: str) -> set[str]:
    return {k for k in keys if k.endswith(":" + role)}


NODE_CHUNKS = [BY_NODE[i : i + 12] for i in range(0, len(BY_NODE), 12)]  # under the alias limit


def node_read(part: int, keys: tuple[str, ...]) -> Read:
    aliases = " ".join(f'node{i}: node(id: "<<{k}>>") {{ id }}' for i, k in enumerate(keys))
    return Read(f"node.{part}", "{ " + aliases + " }", lambda r: ids(visible(r, keys)))


MESSAGE_ALIASES = " ".join(f'm{i}: message(id: "<<{k}>>") {{ id }}' for i, k in enumerate(MESSAGES))

READS = [
    # node, nodes and the typed root fields
    *(node_read(part, keys) for part, keys in enumerate(NODE_CHUNKS)),
    Read("node.confirmation", '{ node(id: "<<confirmation>>") { id } }', lambda r: ids(set())),
    Read("nodes", "query($nodes: [ID!]!) { nodes(ids: $nodes) { id } }", lambda r: ids(visible(r, BY_NODE))),
    Read(
        "topic",
        """{ s: topic(path: "/Secret") { id } news: topic(path: "/News") { id }
             p: topic(path: "/Private/walt") { id } r: topic(path: "/Private") { id } }""",
        lambda r: ids(visible(r, ["topic:secret", "topic:news", "private:writer", "topic:private-root"])),
    ),
    Read("message", "{ " + MESSAGE_ALIASES + " }", lambda r: ids(visible(r, MESSAGES))),
    Read(
        "conversation",
        '{ conversation(id: "<<conversation>>") { id } }',
        lambda r: ids(visible(r, ["conversation"])),
    ),
    Read("group", '{ group(name: "crew") { id } }', lambda r: ids(visible(r, ["group"]))),
    Read("user", '{ user(username: "walt") { id } }', lambda r: ids(visible(r, ["user:writer"]))),
    Read("viewer", "{ viewer { id } }", lambda r: ids(own(r, *USERS))),
    # connections
    Read(
        "topics",
        "{ topics(first: 50) { n: totalCount edges { node { id } } } }",
        lambda r: ids(visible(r, TOPICS), total=True),
    ),
    Read(
        "topic.children",
        """{ w: topic(path: "/Private/walt") { id children { n: totalCount edges { node { id } } } }
             r: topic(path: "/Private") { id children { edges { node { id } } } } }""",
        lambda r: {
            "writer": ids({"private:writer", "tasks:writer"}, n=[1]),
            # /Private's children are users' spaces: an admin sees only their own
            "admin": ids({"topic:private-root", "private:admin"}),
        }.get(r, ids(set())),
    ),
    Read(
        "messages",
        "{ messages(first: 50) { n: totalCount edges { node { id } } } }",
        lambda r: ids(visible(r, MESSAGES), total=True),
    ),
    Read(
        "messages.treeView",
        "{ messages(first: 50, treeView: FULL_TREE) { edges { node { id replies { edges { node { id } } } } } } }",
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "messages.last",
        "{ messages(last: 50) { edges { node { id } } } }",
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "topic.messages",
        """{ s: topic(path: "/Secret") { id messages { n: totalCount edges { node { id } } } }
             news: topic(path: "/News") { id messages { n: totalCount edges { node { id } } } } }""",
        lambda r: ids(
            visible(r, ["topic:secret", "topic:news", *SECRET, "msg:news"]),
            n=[2, 1] if r in VISIBLE["topic:secret"] else [1],
        ),
    ),
    Read(
        "topic.access",
        """{ s: topic(path: "/Secret") { id access { ...grants } } news: topic(path: "/News") { id access { ...grants } } }
           fragment grants on TopicAccess { readers { ...who } writers { ...who } admins { ...who } }
           fragment who on Principal { ... on User { id } ... on Group { id } }""",
        # the grants are shown to the topic's admins only
        lambda r: ids(
            visible(r, ["topic:secret", "topic:news"])
            | (
                {"user:reader", "user:writer", "user:topic_admin", "user:admin"}
                if r in ("topic_admin", "admin")
                else set()
            )
        ),
    ),
    Read(
        "message.recipients",
        '{ message(id: "<<msg:notice>>") { id recipients { ... on User { id } ... on Group { id } } } }',
        lambda r: ids({"msg:notice", "user:reader"} if r in VISIBLE["msg:notice"] else set()),
    ),
    Read(
        "message.replies",
        '{ message(id: "<<msg:secret>>") { id replies { edges { node { id } } } } }',
        lambda r: ids(visible(r, SECRET)),
    ),
    Read(
        "message.thread",
        '{ message(id: "<<msg:reply>>") { id inReplyTo { id } root { id } topic { id } } }',
        lambda r: ids(visible(r, [*SECRET, "topic:secret"])),
    ),
    Read(
        "conversations",
        "{ conversations { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids(visible(r, ["conversation"]), total=True)),
    ),
    Read(
        "conversation.messages",
        '{ conversation(id: "<<conversation>>") { id lastMessage { id } messages { edges { node { id } } } } }',
        lambda r: ids(visible(r, ["conversation", "msg:chat"])),
    ),
    Read(
        "tasks",
        "{ tasks { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"task"} if r == "writer" else set(), total=True)),
    ),
    Read(
        "inbox",
        "{ inbox { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"msg:notice"} if r == "reader" else set(), total=True)),
    ),
    Read(
        "inbox.unreadOnly",
        "{ inbox(unreadOnly: true) { edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"msg:notice"} if r == "reader" else set())),
    ),
    Read(
        "sentNotices",
        "{ sentNotices { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"msg:notice"} if r == "system" else set(), total=True)),
    ),
    Read(
        "announcements",
        "{ announcements { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(
            lambda r: ids({"announcement"} if r in ("reader", "writer") else set(), total=True)
        ),
    ),
    Read(
        "announcements.managed",
        "{ announcements(managed: true) { edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"announcement"} if r in ("system", "admin") else set())),
    ),
    Read(
        "announcement.confirmations",
        """{ node(id: "<<announcement>>") { id ... on Announcement {
             confirmations { edges { node { id user { id } } } } } } }""",
        # the audience sees the announcement but not who confirmed it
        lambda r: (
            error("FORBIDDEN")
            if r in ("reader", "writer")
            else ids(
                visible(r, ["announcement", "confirmation"])
                | ({"user:reader"} if r in ("system", "admin") else set())
            )
        ),
    ),
    Read(
        "groups",
        "{ groups { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids({"group"}, total=True)),
    ),
    Read(
        "group.members",
        '{ group(name: "crew") { id members { n: totalCount edges { node { id } } } } }',
        lambda r: ids({"group", "user:reader", "user:writer"}, n=[2]) if r in SIGNED_IN else ids(set()),
    ),
    Read(
        "users",
        "{ users(first: 50) { n: totalCount edges { node { id } } } }",
        unauthenticated_for_anonymous(lambda r: ids(USERS, total=True)),
    ),
    # batch reads and filters
    Read(
        "messagesByIds",
        "query($messages: [ID!]!) { messagesByIds(ids: $messages) { ... on Message { id } } }",
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "filter.ids",
        "query($messages: [ID!]!) { messages(filter: {ids: $messages}) { edges { node { id } } } }",
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "filter.tags",
        '{ messages(filter: {tags: ["plan"]}) { edges { node { id } } } }',
        lambda r: ids(visible(r, TAGGED)),
    ),
    Read(
        "filter.text",
        '{ messages(filter: {text: "plan"}) { edges { node { id } } } }',
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "filter.textContains",
        '{ messages(filter: {textContains: "plan"}) { edges { node { id } } } }',
        lambda r: ids(visible(r, MESSAGES)),
    ),
    Read(
        "filter.authors",
        '{ messages(filter: {authors: ["walt"]}) { edges { node { id } } } }',
        lambda r: ids(visible(r, ["msg:secret", "msg:reply", "msg:private", "task", "msg:chat"])),
    ),
    Read(
        "filter.topic.secret",
        '{ messages(filter: {topic: "/Secret"}) { edges { node { id } } } }',
        unknown_unless_readable("topic:secret", SECRET),
    ),
    Read(
        "filter.topic.private",
        '{ messages(filter: {topic: "/Private/walt"}) { edges { node { id } } } }',
        unknown_unless_readable("private:writer", IN_PRIVATE),
    ),
    Read(
        "filter.topic.missing",
        '{ messages(filter: {topic: "/Nowhere"}) { edges { node { id } } } }',
        lambda r: error("INVALID_INPUT"),
    ),
    Read(
        "filter.topicUnder.private",
        '{ messages(filter: {topicUnder: "/Private/walt"}) { edges { node { id } } } }',
        unknown_unless_readable("private:writer", ("msg:private", "task")),
    ),
    Read(
        "filter.conversation",
        '{ messages(filter: {conversation: "<<conversation>>"}) { edges { node { id } } } }',
        unknown_unless_readable("conversation", ("msg:chat",)),
    ),
    Read(
        "filter.conversation.missing",
        '{ messages(filter: {conversation: "Q29udmVyc2F0aW9uOjk5OTk="}) { edges { node { id } } } }',
        lambda r: error("INVALID_INPUT"),
    ),
    Read(
        "filter.root",
        '{ messages(filter: {root: "<<msg:secret>>"}) { edges { node { id } } } }',
        lambda r: ids(visible(r, SECRET)),
    ),
    Read(
        "filter.inReplyTo",
        '{ messages(filter: {inReplyTo: "<<msg:secret>>"}) { edges { node { id } } } }',
        lambda r: ids(visible(r, ["msg:reply"])),
    ),
    Read(
        "filter.tasks",
        "{ messages(filter: {tasks: true}) { edges { node { id } } } }",
        # the task list's owner: the copy and the message it copies
        lambda r: ids({"msg:secret", "task"} if r == "writer" else set()),
    ),
    Read(
        "filter.unread",
        "{ messages(filter: {unread: true}) { edges { node { id } } } }",
        # what the role may see and did not write (one's own messages are read)
        lambda r: ids({k for k in visible(r, MESSAGES) if AUTHORED[k] != r}),
    ),
    # counts
    Read("messageCount", "{ n: messageCount }", lambda r: counts(len(visible(r, MESSAGES)))),
    Read(
        "messageCount.tags",
        '{ n: messageCount(filter: {tags: ["plan"]}) }',
        lambda r: counts(len(visible(r, TAGGED))),
    ),
    Read(
        "messageCount.textContains",
        '{ n: messageCount(filter: {textContains: "plan"}) }',
        lambda r: counts(len(visible(r, MESSAGES))),
    ),
    Read(
        "messageCount.topic",
        '{ n: messageCount(filter: {topic: "/Secret"}) }',
        lambda r: counts(2) if r in VISIBLE["topic:secret"] else error("INVALID_INPUT"),
    ),
    Read(
        "topic.messageCount",
        '{ s: topic(path: "/Secret") { n: messageCount } news: topic(path: "/News") { n: messageCount } }',
        lambda r: counts(*([2] if r in VISIBLE["topic:secret"] else []), 1),
    ),
    Read(
        "message.counts",
        '{ message(id: "<<msg:secret>>") { n: replyCount n2: likeCount } }',
        lambda r: counts(1, 1) if r in VISIBLE["msg:secret"] else counts(),
    ),
    Read(
        "inboxUnreadCount",
        "{ n: inboxUnreadCount }",
        unauthenticated_for_anonymous(lambda r: counts(1 if r == "reader" else 0)),
    ),
    Read(
        "conversation.unreadCount",
        '{ conversation(id: "<<conversation>>") { n: unreadCount } }',
        lambda r: {"reader": counts(1), "writer": counts(0)}.get(r, ids(set())),
    ),
    Read(
        "topic.unreadCount",
        '{ topic(path: "/Secret") { n: unreadCount } }',
        # the writer wrote both; anonymous has no read state
        lambda r: counts(0 if r == "writer" else 2) if r in VISIBLE["topic:secret"] else ids(set()),
    ),
    Read("eventCursor", "{ eventCursor }", lambda r: ids(set())),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("read", READS, ids=str)
async def test_read(module_api: Api, world: World, read: Read, role: str) -> None:
    variables = {"messages": [world.ids[k] for k in MESSAGES], "nodes": [world.ids[k] for k in BY_NODE]}
    document = fill(read.document, world)
    declared = {name for name in variables if f"${name}" in document}
    response = await module_api.raw(document, {k: variables[k] for k in declared}, world.tokens[role])
    assert response.status_code == 200, response.text
    got, expected = outcome(response.json(), world), read.expect(role)
    assert got == expected, (read.name, role, got, expected)


def every_document() -> list[str]:
    """Every row's document: the reads here, the mutations and the subscriptions."""
    return [r.document for r in READS] + [m.document for m in MUTATIONS] + [s.document for s in SUBSCRIPTIONS]


async def test_every_node_type_is_in_the_world(module_settings: Settings, world: World) -> None:
    in_world = {base64.b64decode(value).decode().partition(":")[0] for value in world.ids.values()}
    assert node_types(live_schema(module_settings)) - in_world == set()


async def test_every_reaching_field_has_a_row(module_settings: Settings) -> None:
    schema = live_schema(module_settings)
    missing = reaching_fields(schema) - selected_fields(schema, every_document())
    assert missing == set(), f"no authorization row selects {sorted(missing)}"


async def test_a_new_root_field_without_a_row_is_missing(module_settings: Settings) -> None:
    """The guard above bites: the live schema plus one root field of each kind, and a connection on
    a Node type, reports exactly those as missing."""
    schema = extend_schema(
        live_schema(module_settings),
        parse(
            """extend type Query { secrets: Int! }
               extend type Mutation { leak(id: ID!): Boolean! }
               extend type Subscription { everything: Int! }
               extend type Group { messages: MessageConnection! }"""
        ),
    )
    missing = reaching_fields(schema) - selected_fields(schema, every_document())
    assert missing == {
        ("Query", "secrets"),
        ("Mutation", "leak"),
        ("Subscription", "everything"),
        ("Group", "messages"),
    }
