"""Anonymous readers of public topics see messages and authors, never group names or memberships;
signed-in users see a user's groups (the group directory every user may grant topics to)."""

from __future__ import annotations

from tests.conftest import ADMIN_PASSWORD, Api

TOPIC = """mutation { createTopic(input: {path: "/Public", readOnly: true}) { __typename } }"""
GROUP = """mutation { createGroup(input: {name: "secret-ops", members: [%s]}) { __typename } }"""
SEND = """mutation { sendMessage(input: {topic: "/Public", text: "hello"}) { __typename } }"""
READ = """{ topic(path: "/Public") { messages(first: 5) { edges { node { text author { username
  groups { name members { edges { node { username } } } } } } } } } }"""


async def test_anonymous_readers_see_no_groups(api: Api) -> None:
    root = (await api.login("admin", ADMIN_PASSWORD))["token"]
    me = (await api.run("{ viewer { id } }", token=root))["viewer"]["id"]
    assert (await api.run(TOPIC, token=root))["createTopic"]["__typename"] == "CreateTopicSuccess"
    assert (await api.run(GROUP % f'"{me}"', token=root))["createGroup"]["__typename"] == "CreateGroupSuccess"
    assert (await api.run(SEND, token=root))["sendMessage"]["__typename"] == "Message"

    [anonymous] = (await api.run(READ))["topic"]["messages"]["edges"]
    assert anonymous["node"]["text"] == "hello"
    assert anonymous["node"]["author"] == {"username": "admin", "groups": []}

    bob, _ = await api.register("bob")
    [signed_in] = (await api.run(READ, token=bob))["topic"]["messages"]["edges"]
    assert [g["name"] for g in signed_in["node"]["author"]["groups"]] == ["secret-ops"]
