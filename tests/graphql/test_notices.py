"""Inbox notices: fan-out to users and groups, translations and parameters, unread, read, delete."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.graphql.topic_helpers import World

SEND_NOTICE = """mutation($input: SendNoticeInput!) { sendNotice(input: $input) {
  __typename ... on Error { code reason: message } ... on NotFoundError { ids } ... on ForbiddenError { right }
  ... on SendNoticeSuccess { recipientCount notice { id recipients { __typename ... on User { username }
    ... on Group { name } } } } } }"""
INBOX = """query($unread: Boolean) { inbox(unreadOnly: $unread) { totalCount edges { node { id text rawText
  author { username } readAt } } } }"""
TEXT = """query($id: ID!, $locale: String) { message(id: $id) { text(locale: $locale) parameters
  translations { locale text } } }"""


async def notice(w: World, who: str, **input: Any) -> dict[str, Any]:
    return (await w.run(who, SEND_NOTICE, {"input": input}))["sendNotice"]


async def inbox(w: World, who: str, unread: bool = False) -> list[str]:
    data = await w.run(who, INBOX, {"unread": unread})
    return [e["node"]["rawText"] for e in data["inbox"]["edges"]]


async def test_each_member_of_each_group_gets_it_once(api: Api) -> None:
    w = await World(api).setup()
    ops = await w.group("alice", "ops", ["alice", "bob", "carol"])
    dev = await w.group("alice", "dev", ["alice", "bob"])
    result = await notice(w, "alice", users=[w.ids["bob"]], groups=[ops, dev], text="Maintenance at noon")
    assert result["__typename"] == "SendNoticeSuccess"
    assert result["recipientCount"] == 3  # alice (in both groups), bob, carol: each once
    names = [r.get("username") or r.get("name") for r in result["notice"]["recipients"]]
    assert names == ["bob", "ops", "dev"]
    for who in ("alice", "bob", "carol"):
        assert await inbox(w, who) == ["Maintenance at noon"], who
    assert await inbox(w, "admin") == []
    assert await w.message("admin", result["notice"]["id"]) is None  # not a recipient


async def test_unknown_recipients_are_named_and_nothing_is_sent(api: Api) -> None:
    w = await World(api).setup()
    bad = await notice(w, "alice", users=[w.ids["bob"], "VXNlcjo5OTk="], groups=["R3JvdXA6OTk5"], text="hi")
    assert bad["__typename"] == "NotFoundError"
    assert "VXNlcjo5OTk=" in bad["reason"] and "R3JvdXA6OTk5" in bad["reason"]
    assert bad["ids"] == ["VXNlcjo5OTk="]
    assert await inbox(w, "bob") == []
    nobody = await notice(w, "alice", text="to nobody")
    assert nobody["__typename"] == "InvalidInputError"


async def test_groups_you_are_not_in_need_the_system_message_right(api: Api) -> None:
    w = await World(api).setup()
    ops = await w.group("admin", "ops", ["admin", "bob"])
    refused = await notice(w, "carol", groups=[ops], text="spam")
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "system.message"
    assert (await notice(w, "admin", groups=[ops], text="ok"))["recipientCount"] == 2


async def test_translations_fall_back_through_the_locale_chain(api: Api) -> None:
    w = await World(api).setup()
    w.tokens["dora"], w.ids["dora"] = await api.register("dora", locale="de-CH")
    w.tokens["fred"], w.ids["fred"] = await api.register("fred", locale="fr")
    sent = await notice(
        w,
        "alice",
        users=[w.ids["dora"], w.ids["fred"], w.ids["bob"]],
        text="Server {0} restarts at {1}",
        parameters=["db-1", "12:00"],
        translations=[
            {"locale": "de", "text": "Server {0} startet um {1} neu"},
            {"locale": "fr-CA", "text": "Le serveur {0} redémarre à {1} ({2})"},
        ],
    )
    mid = sent["notice"]["id"]

    async def text(who: str, locale: str | None = None) -> str:
        return (await w.run(who, TEXT, {"id": mid, "locale": locale}))["message"]["text"]

    assert await text("dora") == "Server db-1 startet um 12:00 neu"  # de-CH falls back to de
    assert await text("fred") == "Server db-1 restarts at 12:00"  # fr has no translation: the base text
    assert await text("bob") == "Server db-1 restarts at 12:00"
    assert await text("bob", "de-AT") == "Server db-1 startet um 12:00 neu"
    assert (
        await text("dora", "fr-CA") == "Le serveur db-1 redémarre à 12:00 ({2})"
    )  # a missing parameter stays
    data = (await w.run("bob", TEXT, {"id": mid}))["message"]
    assert data["parameters"] == ["db-1", "12:00"]
    assert [t["locale"] for t in data["translations"]] == ["de", "fr-CA"]
    duplicate = await notice(
        w,
        "alice",
        users=[w.ids["bob"]],
        text="x",
        translations=[{"locale": "de", "text": "a"}, {"locale": "DE", "text": "b"}],
    )
    assert duplicate["__typename"] == "InvalidInputError"


async def test_unread_filter_mark_read_and_delete(api: Api) -> None:
    w = await World(api).setup()
    first = (await notice(w, "alice", users=[w.ids["bob"], w.ids["carol"]], text="first"))["notice"]["id"]
    await notice(w, "alice", users=[w.ids["bob"], w.ids["carol"]], text="second")
    assert await inbox(w, "bob") == ["second", "first"]  # newest first
    mark = """mutation($ids: [ID!]) { markRead(input: {ids: $ids}) { ... on MarkReadSuccess { count } } }"""
    assert (await w.run("bob", mark, {"ids": [first]}))["markRead"]["count"] == 1
    assert await inbox(w, "bob", unread=True) == ["second"]
    delete = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename
      ... on DeleteMessageSuccess { deletedIds } } }"""
    assert (await w.run("bob", delete, {"id": first}))["deleteMessage"]["deletedIds"] == [first]
    assert await inbox(w, "bob") == ["second"]
    assert await inbox(w, "carol") == ["second", "first"]  # a recipient's delete is theirs only
    assert (await w.run("alice", delete, {"id": first}))["deleteMessage"][
        "__typename"
    ] == "DeleteMessageSuccess"
    assert await inbox(w, "carol") == ["second"]  # the author's delete is for everyone
