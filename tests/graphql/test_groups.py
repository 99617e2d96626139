"""Groups and system rights."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.topic_helpers import World

MEMBERS = """mutation($g: ID!, $add: [ID!], $remove: [ID!]) { setGroupMembers(input: {group: $g, add: $add, remove: $remove}) {
  __typename ... on Error { code } ... on ForbiddenError { right }
  ... on SetGroupMembersSuccess { group { name members { totalCount edges { node { username } } } } } } }"""
GRANT = """mutation($u: ID!, $r: String!, $revoke: Boolean) { grantRight(input: {user: $u, right: $r, revoke: $revoke}) {
  __typename ... on Error { code } ... on ForbiddenError { right } ... on GrantRightSuccess { user { rights } } } }"""


async def test_group_admins_manage_members(api: Api) -> None:
    w = await World(api).setup()
    ops = await w.group("alice", "ops", ["alice", "bob"])  # listing herself makes her an admin member
    duplicate = await w.run("carol", """mutation { createGroup(input: {name: "OPS"}) { __typename } }""")
    assert duplicate["createGroup"]["__typename"] == "ConflictError"
    bad = await w.run("carol", """mutation { createGroup(input: {name: "no spaces"}) { __typename } }""")
    assert bad["createGroup"]["__typename"] == "InvalidInputError"
    added = (await w.run("alice", MEMBERS, {"g": ops, "add": [w.ids["carol"]]}))["setGroupMembers"]
    assert [e["node"]["username"] for e in added["group"]["members"]["edges"]] == ["alice", "bob", "carol"]
    refused = (await w.run("bob", MEMBERS, {"g": ops, "remove": [w.ids["carol"]]}))["setGroupMembers"]
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "admin"
    by_admin = (await w.run("admin", MEMBERS, {"g": ops, "remove": [w.ids["carol"]]}))["setGroupMembers"]
    assert by_admin["group"]["members"]["totalCount"] == 2
    unknown = (await w.run("alice", MEMBERS, {"g": ops, "add": ["VXNlcjo5OTk="]}))["setGroupMembers"]
    assert unknown["__typename"] == "NotFoundError"
    mine = await w.run(
        "bob",
        """{ viewer { groups { name } } group(name: "ops") { name members(first: 1) {
      pageInfo { hasNextPage endCursor } edges { node { username } } } } groups { totalCount } }""",
    )
    assert mine["viewer"]["groups"] == [{"name": "ops"}]
    assert mine["group"]["members"]["edges"] == [{"node": {"username": "alice"}}]
    assert mine["group"]["members"]["pageInfo"]["hasNextPage"] is True
    assert mine["groups"]["totalCount"] == 1
    after = mine["group"]["members"]["pageInfo"]["endCursor"]
    rest = await w.run(
        "bob",
        """query($a: String) { group(name: "ops") { members(after: $a) { edges { node {
      username } } } } }""",
        {"a": after},
    )
    assert rest["group"]["members"]["edges"] == [{"node": {"username": "bob"}}]


async def test_create_group_makes_exactly_the_listed_users_members(api: Api) -> None:
    w = await World(api).setup()
    listed = """query($n: String!) { group(name: $n) { members { edges { node { username } } } } }"""

    async def members(name: str) -> list[str]:
        group = (await w.run("carol", listed, {"n": name}))["group"]
        return [e["node"]["username"] for e in group["members"]["edges"]]

    ops = await w.group("alice", "ops", ["bob", "carol"])
    assert await members("ops") == ["bob", "carol"]  # not alice, who created it
    assert (await w.run("alice", "{ viewer { groups { name } } }"))["viewer"]["groups"] == []
    empty = await w.run("alice", """mutation { createGroup(input: {name: "empty"}) { __typename } }""")
    assert empty["createGroup"]["__typename"] == "CreateGroupSuccess"
    assert await members("empty") == []
    await w.group("alice", "mine", ["alice", "bob"])
    assert await members("mine") == ["alice", "bob"]
    # the creator still manages the members of a group she is not in; other members do not
    added = (await w.run("alice", MEMBERS, {"g": ops, "add": [w.ids["admin"]]}))["setGroupMembers"]
    assert [e["node"]["username"] for e in added["group"]["members"]["edges"]] == ["admin", "bob", "carol"]
    refused = (await w.run("bob", MEMBERS, {"g": ops, "remove": [w.ids["carol"]]}))["setGroupMembers"]
    assert refused["__typename"] == "ForbiddenError"


async def test_only_admins_grant_rights(api: Api) -> None:
    w = await World(api).setup()
    refused = (await w.run("alice", GRANT, {"u": w.ids["bob"], "r": "system.message"}))["grantRight"]
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "admin"
    granted = (await w.run("admin", GRANT, {"u": w.ids["bob"], "r": "system.message"}))["grantRight"]
    assert granted["user"]["rights"] == ["system.message"]
    unknown = (await w.run("admin", GRANT, {"u": w.ids["bob"], "r": "superpowers"}))["grantRight"]
    assert unknown["__typename"] == "InvalidInputError"
    revoked = (await w.run("admin", GRANT, {"u": w.ids["bob"], "r": "system.message", "revoke": True}))[
        "grantRight"
    ]
    assert revoked["user"]["rights"] == []
    self_demotion = (await w.run("admin", GRANT, {"u": w.ids["admin"], "r": "admin", "revoke": True}))[
        "grantRight"
    ]
    assert self_demotion["__typename"] == "ForbiddenError"
