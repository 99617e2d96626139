"""Topics: paths, creation rights, access for users and groups, read-only, private spaces, parameters."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.topic_helpers import World

TOPIC = """query($p: String!) { topic(path: $p) { path name description readOnly viewerCanWrite viewerIsAdmin
  parent { path } children { totalCount edges { node { path } } }
  access { readers { __typename ... on User { username } ... on Group { name } }
           writers { __typename ... on User { username } ... on Group { name } }
           admins { __typename ... on User { username } } } } }"""
TOPICS = """query($under: String) { topics(under: $under) { totalCount edges { node { path } } } }"""


async def paths(w: World, who: str | None, under: str | None = None) -> list[str]:
    data = await w.run(who, TOPICS, {"under": under})
    return [e["node"]["path"] for e in data["topics"]["edges"]]


async def test_admins_create_top_level_topics_with_missing_ancestors(api: Api) -> None:
    w = await World(api).setup()
    result = await w.create("admin", "/Ops/Alerts/Disk", description="disk alarms")
    assert result["__typename"] == "CreateTopicSuccess"
    assert result["topic"]["path"] == "/Ops/Alerts/Disk"
    assert result["topic"]["name"] == "Disk"
    assert result["topic"]["parent"] == {"path": "/Ops/Alerts"}
    topic = (await w.run("admin", TOPIC, {"p": "/Ops/Alerts"}))["topic"]
    assert [e["node"]["path"] for e in topic["children"]["edges"]] == ["/Ops/Alerts/Disk"]
    assert topic["parent"] == {"path": "/Ops"}
    again = await w.create("admin", "/Ops/Alerts/Disk")
    assert again["__typename"] == "ConflictError"


async def test_users_need_admin_access_to_create_topics(api: Api) -> None:
    w = await World(api).setup()
    refused = await w.create("alice", "/Alice")
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "admin"
    hidden = await w.create("alice", "/Team/Sub")
    assert hidden["__typename"] == "NotFoundError"  # /Team is invisible to alice
    await w.grant("admin", "/Team", "READ", ["alice"])
    reader = await w.create("alice", "/Team/Sub")
    assert reader["__typename"] == "ForbiddenError"
    await w.grant("admin", "/Team", "ADMIN", ["alice"])
    created = await w.create("alice", "/Team/Sub/Deeper")
    assert created["__typename"] == "CreateTopicSuccess"
    assert await paths(w, "alice", "/Team") == ["/Team/Sub", "/Team/Sub/Deeper"]


async def test_bad_paths_are_invalid_input(api: Api) -> None:
    w = await World(api).setup()
    for path in ("Team", "/Team/", "/Te am", "//x", "/a/../b", "/" + "x" * 65, "/a#b"):
        result = await w.create("admin", path)
        assert result["__typename"] == "InvalidInputError", path
        assert result["field"] == "path"


async def test_a_topic_without_a_grant_behaves_like_a_missing_one(api: Api) -> None:
    w = await World(api).setup()
    assert (await w.run("alice", TOPIC, {"p": "/Team"}))["topic"] is None
    assert (await w.run("alice", TOPIC, {"p": "/Nothing"}))["topic"] is None
    assert "/Team" not in await paths(w, "alice")
    assert (await w.send("alice", "/Team", "hello"))["__typename"] == "NotFoundError"
    assert (await w.send("alice", "/Nothing", "hello"))["__typename"] == "NotFoundError"


async def test_read_write_admin_levels_for_users(api: Api) -> None:
    w = await World(api).setup()
    assert (await w.grant("admin", "/Team", "READ", ["alice"]))["__typename"] == "SetTopicAccessSuccess"
    await w.grant("admin", "/Team", "WRITE", ["bob"])
    alice_view = (await w.run("alice", TOPIC, {"p": "/Team"}))["topic"]
    assert (alice_view["viewerCanWrite"], alice_view["viewerIsAdmin"]) == (False, False)
    assert alice_view["access"] == {"readers": [], "writers": [], "admins": []}  # only admins see the lists
    refused = await w.send("alice", "/Team", "may I?")
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "write"
    assert (await w.send("bob", "/Team", "yes"))["__typename"] == "Message"
    admin_view = (await w.run("admin", TOPIC, {"p": "/Team"}))["topic"]
    assert admin_view["access"]["readers"] == [{"__typename": "User", "username": "alice"}]
    assert admin_view["access"]["writers"] == [{"__typename": "User", "username": "bob"}]
    assert {"__typename": "User", "username": "admin"} in admin_view["access"]["admins"]
    not_admin = await w.grant("bob", "/Team", "READ", ["carol"])
    assert not_admin["__typename"] == "ForbiddenError"
    await w.grant("admin", "/Team", "READ", ["alice"], revoke=True)
    assert (await w.run("alice", TOPIC, {"p": "/Team"}))["topic"] is None


async def test_group_grants_and_recursive_changes(api: Api) -> None:
    w = await World(api).setup()
    await w.create("admin", "/Team/Ops/Alerts")
    ops = await w.group("admin", "ops", ["alice", "bob"])
    granted = await w.grant("admin", "/Team", "WRITE", groups=[ops], recursive=True)
    assert granted["topicCount"] == 3
    assert (await w.send("alice", "/Team/Ops/Alerts", "disk full"))["__typename"] == "Message"
    assert await paths(w, "bob", "/Team") == ["/Team/Ops", "/Team/Ops/Alerts"]
    assert await paths(w, "carol", "/Team") == []
    revoked = await w.grant("admin", "/Team/Ops", "WRITE", groups=[ops], revoke=True, recursive=True)
    assert revoked["topicCount"] == 2
    assert await paths(w, "bob", "/Team") == []
    assert (await w.run("bob", TOPIC, {"p": "/Team"}))["topic"]["viewerCanWrite"] is True
    unknown = await w.grant("admin", "/Team", "READ", groups=["R3JvdXA6OTk5"])
    assert unknown["__typename"] == "NotFoundError"


async def test_read_only_topics_are_public_and_written_by_admins_only(api: Api) -> None:
    w = await World(api).setup()
    await w.create("admin", "/News", readOnly=True)
    await w.grant("admin", "/News", "WRITE", ["alice"])
    posted = await w.send_ok("admin", "/News", "Release 1.0 #release")
    anonymous = (await w.run(None, TOPIC, {"p": "/News"}))["topic"]
    assert anonymous["readOnly"] is True and anonymous["viewerCanWrite"] is False
    assert (await w.message(None, posted["id"]))["text"] == "Release 1.0 #release"
    assert "/News" in await paths(w, None)
    refused = await w.send("alice", "/News", "me too")
    assert refused["__typename"] == "ForbiddenError"
    assert "read-only" in refused["reason"]
    listed = await w.run(None, """{ topic(path: "/News") { messages { edges { node { text } } } } }""")
    assert [e["node"]["text"] for e in listed["topic"]["messages"]["edges"]] == ["Release 1.0 #release"]


async def test_private_spaces_belong_to_their_user(api: Api) -> None:
    w = await World(api).setup()
    assert await paths(w, "alice", "/Private") == ["/Private/alice", "/Private/alice/Tasks"]
    note = await w.send_ok("alice", "/Private/alice", "my note")
    assert await w.message("bob", note["id"]) is None
    assert await w.message("admin", note["id"]) is None  # not even system admins
    assert (await w.send("bob", "/Private/alice", "hi"))["__typename"] == "NotFoundError"
    assert (await w.create("alice", "/Private/alice/Ideas"))["__typename"] == "CreateTopicSuccess"
    assert (await w.create("bob", "/Private/alice/Mine"))["__typename"] == "ForbiddenError"
    assert (await w.create("alice", "/Private/mallory"))["__typename"] == "ForbiddenError"


async def test_parameters_are_set_by_topic_admins_and_validated(api: Api, settings) -> None:  # type: ignore[no-untyped-def]
    w = await World(api).setup()
    changed = await w.params(
        "admin",
        "/Team",
        maxLength=50,
        maxReplies=2,
        canForceDate=True,
        canUpdateAllMessages=True,
        extra={"owner": "ops", "sla": 4},
    )
    params = changed["topic"]["parameters"]
    assert params["maxLength"] == 50 and params["maxReplies"] == 2 and params["canForceDate"] is True
    assert params["canUpdateAllMessages"] is True and params["canUpdateMessage"] is True
    assert params["extra"] == {"owner": "ops", "sla": 4}
    await w.grant("admin", "/Team", "WRITE", ["alice"])
    assert (await w.params("alice", "/Team", maxLength=10))["__typename"] == "ForbiddenError"
    too_big = await w.params("admin", "/Team", maxLength=settings.max_message_length + 1)
    assert too_big["__typename"] == "InvalidInputError" and too_big["field"] == "maxLength"
    assert (await w.params("admin", "/Team", maxReplies=-1))["__typename"] == "InvalidInputError"
    assert (await w.params("admin", "/Team", extra=[1, 2]))["__typename"] == "InvalidInputError"
    long_text = await w.send("alice", "/Team", "x" * 51)
    assert long_text["__typename"] == "LimitExceededError" and long_text["limit"] == 50
