"""Tat actions: like, vote, label, edit, move, tasks, cascade deletes, delete by filter, events."""

from __future__ import annotations

from typing import Any

from app.store import events as event_store
from tests.conftest import Api
from tests.graphql.topic_helpers import World

LIKE = """mutation($ref: MessageRef!, $liked: Boolean!) { like(input: {ref: $ref, liked: $liked}) {
  __typename ... on Error { code } ... on Message { likeCount viewerHasLiked likers { username } } } }"""
VOTE = """mutation($ref: MessageRef!, $d: VoteDirection) { vote(input: {ref: $ref, direction: $d}) {
  __typename ... on Error { code } ... on Message { votesUp votesDown viewerVote } } }"""
LABEL = """mutation($input: LabelMessageInput!) { labelMessage(input: $input) {
  __typename ... on Error { code reason: message } ... on ForbiddenError { right }
  ... on LabelMessageSuccess { created labeled { id text labels { text color } } } } }"""
EDIT = """mutation($input: EditMessageInput!) { editMessage(input: $input) {
  __typename ... on Error { code reason: message } ... on ForbiddenError { parameter right }
  ... on Message { text tags revisions { text } } } }"""
MOVE = """mutation($ref: MessageRef!, $to: String!) { moveMessage(input: {ref: $ref, toTopic: $to}) {
  __typename ... on Error { code reason: message } ... on Message { topic { path } } } }"""
TASK = """mutation($ref: MessageRef!, $task: Boolean!) { setTask(input: {ref: $ref, task: $task}) {
  __typename ... on Error { code } ... on Message { id isTask } } }"""
TASKS = """{ tasks { totalCount edges { node { text isTask topic { path } author { username } } } } }"""
DELETE = """mutation($ref: MessageRef!, $c: DeleteCascade) { deleteMessage(input: {ref: $ref, cascade: $c}) {
  __typename ... on Error { code reason: message } ... on ForbiddenError { parameter }
  ... on DeleteMessageSuccess { deletedIds } } }"""
DELETE_MANY = """mutation($f: MessageFilter!, $c: DeleteCascade) { deleteMessages(input: {filter: $f, cascade: $c}) {
  __typename ... on Error { code reason: message } ... on DeleteMessagesSuccess { count } } }"""


async def world(api: Api) -> World:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice", "bob"])
    await w.grant("admin", "/Team", "READ", ["carol"])
    return w


async def events(app: Any) -> list[tuple[str, int | None]]:
    """The event log as the app wrote it (kind, message id), oldest first."""
    async with app.state.services.db.read() as session:
        rows = await event_store.events_after(session, position=0, limit=100_000)
    return [(r.kind, r.message_id) for r in rows]


async def test_like_and_unlike(app: Any, api: Api) -> None:
    w = await world(api)
    m = await w.send_ok("alice", "/Team", "like me")
    ref = {"id": m["id"]}
    for who in ("bob", "carol", "carol"):
        await w.run(who, LIKE, {"ref": ref, "liked": True})
    liked = (await w.run("carol", LIKE, {"ref": ref, "liked": True}))["like"]
    assert liked == {
        "__typename": "Message",
        "likeCount": 2,
        "viewerHasLiked": True,
        "likers": [{"username": "bob"}, {"username": "carol"}],
    }
    unliked = (await w.run("bob", LIKE, {"ref": ref, "liked": False}))["like"]
    assert unliked["likeCount"] == 1 and unliked["viewerHasLiked"] is False
    assert [k for k, _ in await events(app)].count("LIKED") == 3
    assert (await w.run(None, LIKE, {"ref": ref, "liked": True}))["like"][
        "__typename"
    ] == "UnauthenticatedError"


async def test_one_vote_per_user_switching_moves_it(app: Any, api: Api) -> None:
    w = await world(api)
    ref = {"id": (await w.send_ok("alice", "/Team", "vote"))["id"]}
    assert (await w.run("bob", VOTE, {"ref": ref, "d": "UP"}))["vote"] == {
        "__typename": "Message",
        "votesUp": 1,
        "votesDown": 0,
        "viewerVote": "UP",
    }
    await w.run("carol", VOTE, {"ref": ref, "d": "UP"})
    switched = (await w.run("bob", VOTE, {"ref": ref, "d": "DOWN"}))["vote"]
    assert switched == {"__typename": "Message", "votesUp": 1, "votesDown": 1, "viewerVote": "DOWN"}
    withdrawn = (await w.run("bob", VOTE, {"ref": ref, "d": None}))["vote"]
    assert withdrawn == {"__typename": "Message", "votesUp": 1, "votesDown": 0, "viewerVote": None}
    assert [k for k, _ in await events(app)].count("VOTED") == 4


async def test_labels_add_remove_replace_and_create_if_missing(app: Any, api: Api) -> None:
    w = await world(api)
    m = await w.send_ok("alice", "/Team", "build #b1", labels=[{"text": "new", "color": "#ccc"}])
    ref = {"id": m["id"]}

    async def label(who: str, **input: Any) -> dict[str, Any]:
        return (await w.run(who, LABEL, {"input": {"ref": ref, **input}}))["labelMessage"]

    added = await label("bob", add=[{"text": "ci", "color": "#00f"}, {"text": "new", "color": "#fff"}])
    assert added["labeled"]["labels"] == [{"text": "new", "color": "#fff"}, {"text": "ci", "color": "#00f"}]
    removed = await label("bob", remove=["new"])
    assert removed["labeled"]["labels"] == [{"text": "ci", "color": "#00f"}]
    some = await label("bob", remove=["ci"], add=[{"text": "done", "color": "#0f0"}])
    assert some["labeled"]["labels"] == [{"text": "done", "color": "#0f0"}]
    replaced = await label(
        "bob", replaceAll=True, add=[{"text": "a", "color": "#111"}, {"text": "b", "color": "#222"}]
    )
    assert [x["text"] for x in replaced["labeled"]["labels"]] == ["a", "b"]
    refused = await label("carol", add=[{"text": "x", "color": "#000"}])
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "write"
    bad = await label("bob", add=[{"text": "x", "color": "nope"}])
    assert bad["__typename"] == "InvalidInputError"

    ref = {"topic": "/Team", "tag": "b2"}
    created = await label("bob", add=[{"text": "queued", "color": "#999"}], createIfMissing="build #b2")
    assert created["created"] is True
    assert created["labeled"]["text"] == "build #b2" and created["labeled"]["labels"][0]["text"] == "queued"
    relabel = await label(
        "bob", replaceAll=True, add=[{"text": "running", "color": "#999"}], createIfMissing="x #b2"
    )
    assert relabel["created"] is False and relabel["labeled"]["id"] == created["labeled"]["id"]
    kinds = [k for k, _ in await events(app)]
    assert kinds.count("LABELED") == 5 and kinds.count("ADDED") == 2


async def test_edit_replaces_or_appends_reparses_tags_and_respects_parameters(api: Api) -> None:
    w = await world(api)
    m = await w.send_ok("alice", "/Team", "status #red")
    ref = {"id": m["id"]}
    replaced = (await w.run("alice", EDIT, {"input": {"ref": ref, "text": "status #green"}}))["editMessage"]
    assert replaced["tags"] == ["green"]
    appended = (await w.run("alice", EDIT, {"input": {"ref": ref, "append": " #final"}}))["editMessage"]
    assert appended["text"] == "status #green #final"
    assert appended["tags"] == ["green", "final"]
    assert [r["text"] for r in appended["revisions"]] == ["status #red", "status #green"]
    others = (await w.run("bob", EDIT, {"input": {"ref": ref, "text": "hijack"}}))["editMessage"]
    assert others["__typename"] == "ForbiddenError" and others["parameter"] == "canUpdateAllMessages"
    await w.params("admin", "/Team", canUpdateAllMessages=True)
    assert (await w.run("bob", EDIT, {"input": {"ref": ref, "append": "!"}}))["editMessage"][
        "__typename"
    ] == "Message"
    await w.params(
        "admin", "/Team", canUpdateMessage=False, canUpdateAllMessages=False, adminCanUpdateAllMessages=False
    )
    own = (await w.run("alice", EDIT, {"input": {"ref": ref, "text": "again"}}))["editMessage"]
    assert own["__typename"] == "ForbiddenError" and own["parameter"] == "canUpdateMessage"
    admin = (await w.run("admin", EDIT, {"input": {"ref": ref, "text": "again"}}))["editMessage"]
    assert admin["__typename"] == "ForbiddenError" and admin["parameter"] == "adminCanUpdateAllMessages"
    reader = (await w.run("carol", EDIT, {"input": {"ref": ref, "text": "again"}}))["editMessage"]
    assert reader["__typename"] == "ForbiddenError" and reader["right"] == "write"


async def test_move_takes_the_thread_and_needs_write_access_to_both(app: Any, api: Api) -> None:
    w = await world(api)
    await w.create("admin", "/Archive")
    root = await w.send_ok("alice", "/Team", "old thread", replies=["r1", "r2"])
    ref = {"id": root["id"]}
    refused = (await w.run("alice", MOVE, {"ref": ref, "to": "/Archive"}))["moveMessage"]
    assert refused["__typename"] == "NotFoundError"  # alice cannot see /Archive
    await w.grant("admin", "/Archive", "READ", ["alice"])
    read_only = (await w.run("alice", MOVE, {"ref": ref, "to": "/Archive"}))["moveMessage"]
    assert read_only["__typename"] == "ForbiddenError"
    await w.grant("admin", "/Archive", "WRITE", ["alice"])
    reply_id = root["replies"]["edges"][0]["node"]["id"]
    not_root = (await w.run("alice", MOVE, {"ref": {"id": reply_id}, "to": "/Archive"}))["moveMessage"]
    assert not_root["__typename"] == "InvalidInputError"
    moved = (await w.run("alice", MOVE, {"ref": ref, "to": "/Archive"}))["moveMessage"]
    assert moved["topic"] == {"path": "/Archive"}
    count = await w.run(
        "alice",
        """{ a: messageCount(filter: {topic: "/Archive"}) t: messageCount(filter: {topic: "/Team"}) }""",
    )
    assert count == {"a": 3, "t": 0}
    assert await w.message("carol", root["id"]) is None  # carol reads /Team, not /Archive
    assert [k for k, _ in await events(app)].count("MOVED") == 3


async def test_tasks_copy_into_the_private_task_topic_and_back(api: Api) -> None:
    w = await world(api)
    m = await w.send_ok("alice", "/Team", "fix the build", labels=[{"text": "urgent", "color": "#f00"}])
    ref = {"id": m["id"]}
    added = (await w.run("bob", TASK, {"ref": ref, "task": True}))["setTask"]
    assert added == {"__typename": "Message", "id": m["id"], "isTask": True}
    await w.run("bob", TASK, {"ref": ref, "task": True})  # twice is once
    tasks = (await w.run("bob", TASKS))["tasks"]
    assert tasks["totalCount"] == 1
    assert tasks["edges"][0]["node"] == {
        "text": "fix the build",
        "isTask": True,
        "topic": {"path": "/Private/bob/Tasks"},
        "author": {"username": "alice"},
    }
    assert (await w.message("alice", m["id"]))["isTask"] is False  # bob's list, not alice's
    assert (await w.run("alice", TASKS))["tasks"]["totalCount"] == 0
    filtered = await w.run("bob", """{ messageCount(filter: {tasks: true, topic: "/Team"}) }""")
    assert filtered["messageCount"] == 1
    removed = (await w.run("bob", TASK, {"ref": ref, "task": False}))["setTask"]
    assert removed["isTask"] is False
    assert (await w.run("bob", TASKS))["tasks"]["totalCount"] == 0


async def test_delete_cascade_modes(app: Any, api: Api) -> None:
    w = await world(api)
    root = await w.send_ok("alice", "/Team", "root", replies=["r1"])
    reply_id = root["replies"]["edges"][0]["node"]["id"]
    ref = {"id": root["id"]}
    refused = (await w.run("alice", DELETE, {"ref": ref}))["deleteMessage"]
    assert refused["__typename"] == "ConflictError" and "REPLIES" in refused["reason"]
    await w.run("bob", TASK, {"ref": {"id": reply_id, "onlyRoot": False}, "task": True})
    tasked = (await w.run("alice", DELETE, {"ref": ref, "c": "REPLIES"}))["deleteMessage"]
    assert tasked["__typename"] == "ConflictError" and "FORCE" in tasked["reason"]
    forced = (await w.run("alice", DELETE, {"ref": ref, "c": "FORCE"}))["deleteMessage"]
    assert len(forced["deletedIds"]) == 3  # root, reply and bob's task copy
    assert (await w.run("bob", TASKS))["tasks"]["totalCount"] == 0
    assert [k for k, _ in await events(app)].count("DELETED") == 3

    plain = await w.send_ok("alice", "/Team", "plain", replies=["r"])
    await w.params("admin", "/Team", canDeleteMessage=False, adminCanDeleteAllMessages=False)
    forbidden = (await w.run("alice", DELETE, {"ref": {"id": plain["id"]}, "c": "REPLIES"}))["deleteMessage"]
    assert forbidden["__typename"] == "ForbiddenError" and forbidden["parameter"] == "canDeleteMessage"
    await w.params("admin", "/Team", canDeleteMessage=True)
    cascade = (await w.run("alice", DELETE, {"ref": {"id": plain["id"]}, "c": "REPLIES"}))["deleteMessage"]
    assert len(cascade["deletedIds"]) == 2


async def test_delete_messages_by_filter(api: Api) -> None:
    w = await world(api)
    for i in range(3):
        await w.send_ok("alice", "/Team", f"noise #spam {i}")
    keep = await w.send_ok("alice", "/Team", "keep #ham")
    await w.send_ok("bob", "/Team", "bob's #spam")
    refused = (await w.run("alice", DELETE_MANY, {"f": {"topic": "/Team", "tags": ["spam"]}}))[
        "deleteMessages"
    ]
    assert refused["__typename"] == "ForbiddenError"  # bob's message is not alice's to delete: nothing goes
    assert (await w.run("alice", """{ messageCount(filter: {tags: ["spam"]}) }"""))["messageCount"] == 4
    mine = await w.run(
        "alice", DELETE_MANY, {"f": {"topic": "/Team", "tags": ["spam"], "authors": ["alice"]}}
    )
    assert mine["deleteMessages"] == {"__typename": "DeleteMessagesSuccess", "count": 3}
    assert await w.message("alice", keep["id"]) is not None
    for i in range(2):
        await w.send_ok("alice", "/Team", f"thread #old {i}", replies=["r1", "r2"])
    f = {"tags": ["old"], "onlyRoots": True}
    refused = (await w.run("alice", DELETE_MANY, {"f": f}))["deleteMessages"]
    assert refused["__typename"] == "ConflictError"  # NONE: the roots have replies
    threads = await w.run("alice", DELETE_MANY, {"f": f, "c": "REPLIES"})
    assert threads["deleteMessages"]["count"] == 6  # both roots and their four replies, in one go
    bad = (await w.run("alice", DELETE_MANY, {"f": {"topic": "/Nope"}}))["deleteMessages"]
    assert bad["__typename"] == "InvalidInputError"
