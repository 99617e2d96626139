"""Messages in conversations: send, paginate, edit, delete, react, mark read."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send, send_ok

PAGE = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) { messages(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id text } } } } }"""
MESSAGE = """query($id: ID!) { message(id: $id) { id text rawText updatedAt readAt
  revisions { text editor { username } editedAt } attachments { name }
  reactions { content count viewerHasReacted users { username } } } }"""
EDIT = """mutation($input: EditMessageInput!) { editMessage(input: $input) {
  __typename ... on Error { code reason: message } ... on ForbiddenError { parameter }
  ... on Message { text updatedAt revisions { text } } } }"""
DELETE = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) {
  __typename ... on Error { code } ... on DeleteMessageSuccess { deletedIds } } }"""
REACT = """mutation($id: ID!, $content: String!, $remove: Boolean) {
  react(input: {ref: {id: $id}, content: $content, remove: $remove}) {
  __typename ... on Error { code } ... on Message {
    reactions { content count viewerHasReacted users { username } } } } }"""
MARK_READ = """mutation($c: ID, $upTo: ID) { markRead(input: {conversation: $c, upTo: $upTo}) {
  __typename ... on Error { code } ... on MarkReadSuccess { count } } }"""


async def pair(api: Api) -> tuple[str, str, str]:
    alice, _ = await api.register("alice")
    bob, bob_id = await api.register("bob")
    return alice, bob, await create_conversation(api, alice, [bob_id])


async def test_send_returns_the_message_with_author_and_attachments(api: Api) -> None:
    alice, _, conv = await pair(api)
    attachment = {
        "name": "plan.pdf",
        "url": "https://files.example/plan.pdf",
        "mimeType": "application/pdf",
        "size": 1234,
    }
    result = await send(api, alice, conv, "Hello #team", attachments=[attachment])
    message = result
    assert message["text"] == message["rawText"] == "Hello #team"
    assert message["author"]["username"] == "alice"
    assert message["conversation"]["id"] == conv
    assert [(a["name"], a["mimeType"], a["size"]) for a in message["attachments"]] == [
        ("plan.pdf", "application/pdf", 1234)
    ]
    assert message["createdAt"].endswith("+00:00")


async def test_send_refuses_bad_input_and_keeps_nothing(api: Api, settings: Any) -> None:
    alice, bob, conv = await pair(api)
    mallory, _ = await api.register("mallory")
    too_long = await send(api, alice, conv, "x" * (settings.max_message_length + 1))
    assert too_long["__typename"] == "LimitExceededError"
    assert too_long["limit"] == settings.max_message_length
    assert (await send(api, alice, conv, "   "))["__typename"] == "InvalidInputError"
    bad_url = await send(
        api,
        alice,
        conv,
        "see",
        attachments=[{"name": "a", "url": "ftp://x", "mimeType": "a/b", "size": 1}],
    )
    assert bad_url["__typename"] == "InvalidInputError"
    assert (await send(api, mallory, conv, "let me in"))["__typename"] == "NotFoundError"
    assert (await send(api, alice, "bm9wZQ==", "where"))["__typename"] == "InvalidInputError"
    data = await api.run(PAGE, {"id": conv}, bob)
    assert data["conversation"]["messages"]["totalCount"] == 0


async def test_attachment_only_message_may_have_empty_text(api: Api) -> None:
    alice, _, conv = await pair(api)
    result = await send(
        api,
        alice,
        conv,
        "",
        attachments=[{"name": "a.png", "url": "https://x/a.png", "mimeType": "image/png", "size": 5}],
    )
    assert result["__typename"] == "Message"


async def test_a_retry_with_the_same_client_mutation_id_returns_the_first_message(api: Api) -> None:
    alice, bob, conv = await pair(api)
    first = await send_ok(api, alice, conv, "once", clientMutationId="k-1")
    again = await send_ok(api, alice, conv, "once", clientMutationId="k-1")
    other = await send_ok(api, alice, conv, "twice", clientMutationId="k-2")
    assert first == again != other
    bobs_same_key = await send_ok(api, bob, conv, "bob's", clientMutationId="k-1")
    assert bobs_same_key != first
    data = await api.run(PAGE, {"id": conv}, alice)
    assert data["conversation"]["messages"]["totalCount"] == 3


async def test_messages_page_newest_first_with_keyset_cursors(api: Api) -> None:
    alice, bob, conv = await pair(api)
    for i in range(25):
        await send_ok(api, alice if i % 2 else bob, conv, f"m{i}")
    page = (await api.run(PAGE, {"id": conv}, alice))["conversation"]["messages"]
    assert page["totalCount"] == 25
    assert len(page["edges"]) == 20  # default page
    assert page["edges"][0]["node"]["text"] == "m24"
    assert page["pageInfo"]["hasNextPage"] is True  # the chat API's has_more
    await send_ok(api, alice, conv, "newest")  # arrives while paging: must not shift the next page
    rest = (await api.run(PAGE, {"id": conv, "after": page["pageInfo"]["endCursor"]}, alice))["conversation"][
        "messages"
    ]
    assert [e["node"]["text"] for e in rest["edges"]] == ["m4", "m3", "m2", "m1", "m0"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True
    back = await api.run(PAGE, {"id": conv, "last": 2, "before": rest["pageInfo"]["startCursor"]}, alice)
    back_page = back["conversation"]["messages"]
    assert [e["node"]["text"] for e in back_page["edges"]] == ["m6", "m5"]
    assert back_page["pageInfo"]["hasPreviousPage"] is True


async def test_page_size_is_capped(api: Api, settings: Any) -> None:
    alice, _, conv = await pair(api)
    errors = await api.errors(PAGE, {"id": conv, "first": settings.page_size_max + 1}, alice)
    assert errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    errors = await api.errors(PAGE, {"id": conv, "after": "garbage"}, alice)
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"


async def test_edit_keeps_revisions_and_only_the_author_may_edit(api: Api) -> None:
    alice, bob, conv = await pair(api)
    mid = await send_ok(api, alice, conv, "draft")
    replaced = await api.run(EDIT, {"input": {"ref": {"id": mid}, "text": "final"}}, alice)
    assert replaced["editMessage"]["text"] == "final"
    appended = await api.run(EDIT, {"input": {"ref": {"id": mid}, "append": " (edited)"}}, alice)
    message = appended["editMessage"]
    assert message["text"] == "final (edited)"
    assert message["updatedAt"] is not None
    assert [r["text"] for r in message["revisions"]] == ["draft", "final"]
    refused = await api.run(EDIT, {"input": {"ref": {"id": mid}, "text": "hijack"}}, bob)
    assert refused["editMessage"]["__typename"] == "ForbiddenError"
    both = await api.run(EDIT, {"input": {"ref": {"id": mid}, "text": "a", "append": "b"}}, alice)
    assert both["editMessage"]["__typename"] == "InvalidInputError"
    full = (await api.run(MESSAGE, {"id": mid}, bob))["message"]
    assert full["text"] == "final (edited)"
    assert [r["editor"]["username"] for r in full["revisions"]] == ["alice", "alice"]


async def test_delete_by_author_or_admin_only(api: Api) -> None:
    alice, bob, conv = await pair(api)
    first = await send_ok(api, alice, conv, "one")
    second = await send_ok(api, alice, conv, "two")
    assert (await api.run(DELETE, {"id": first}, bob))["deleteMessage"]["__typename"] == "ForbiddenError"
    assert (await api.run(DELETE, {"id": first}, alice))["deleteMessage"]["deletedIds"] == [first]
    assert (await api.run(MESSAGE, {"id": first}, alice))["message"] is None
    assert (await api.run(DELETE, {"id": first}, alice))["deleteMessage"]["__typename"] == "NotFoundError"
    admin = (await api.login("admin", "admin-password-1"))["token"]
    # moderation: an admin deletes outside their own conversations
    assert (await api.run(DELETE, {"id": second}, admin))["deleteMessage"]["deletedIds"] == [second]
    assert (await api.run(PAGE, {"id": conv}, bob))["conversation"]["messages"]["totalCount"] == 0


async def test_reactions_group_by_content(api: Api) -> None:
    alice, bob, conv = await pair(api)
    mid = await send_ok(api, alice, conv, "party?")
    await api.run(REACT, {"id": mid, "content": "🎉"}, alice)
    await api.run(REACT, {"id": mid, "content": "🎉"}, bob)
    await api.run(REACT, {"id": mid, "content": "🎉"}, bob)  # twice is still once
    data = await api.run(REACT, {"id": mid, "content": "👍"}, bob)
    groups = data["react"]["reactions"]
    assert groups == [
        {
            "content": "🎉",
            "count": 2,
            "viewerHasReacted": True,
            "users": [{"username": "alice"}, {"username": "bob"}],
        },
        {"content": "👍", "count": 1, "viewerHasReacted": True, "users": [{"username": "bob"}]},
    ]
    detail = await api.run(
        "query($id: ID!) { message(id: $id) { reactions { reactions { content user { username } createdAt } } } }",
        {"id": mid},
        alice,
    )
    first = detail["message"]["reactions"][0]["reactions"]
    assert [(r["content"], r["user"]["username"]) for r in first] == [("🎉", "alice"), ("🎉", "bob")]
    assert first[0]["createdAt"] <= first[1]["createdAt"]
    removed = await api.run(REACT, {"id": mid, "content": "🎉", "remove": True}, bob)
    assert removed["react"]["reactions"][0]["count"] == 1
    seen_by_alice = (await api.run(MESSAGE, {"id": mid}, alice))["message"]["reactions"]
    assert [(g["content"], g["viewerHasReacted"]) for g in seen_by_alice] == [
        ("🎉", True),
        ("👍", False),
    ]
    bad = await api.run(REACT, {"id": mid, "content": "two words"}, alice)
    assert bad["react"]["__typename"] == "InvalidInputError"


async def test_mark_read_sets_read_at_and_unread_count(api: Api) -> None:
    alice, bob, conv = await pair(api)
    ids = [await send_ok(api, alice, conv, f"m{i}") for i in range(4)]
    unread = "query($id: ID!) { conversation(id: $id) { unreadCount } }"
    assert (await api.run(unread, {"id": conv}, bob))["conversation"]["unreadCount"] == 4
    marked = await api.run(MARK_READ, {"c": conv, "upTo": ids[1]}, bob)
    assert marked["markRead"] == {"__typename": "MarkReadSuccess", "count": 2}
    assert (await api.run(unread, {"id": conv}, bob))["conversation"]["unreadCount"] == 2
    assert (await api.run(MESSAGE, {"id": ids[0]}, bob))["message"]["readAt"] is not None
    assert (await api.run(MESSAGE, {"id": ids[3]}, bob))["message"]["readAt"] is None
    rest = await api.run(MARK_READ, {"c": conv}, bob)
    assert rest["markRead"]["count"] == 2
    assert (await api.run(unread, {"id": conv}, bob))["conversation"]["unreadCount"] == 0
    again = await api.run(MARK_READ, {"c": conv}, bob)
    assert again["markRead"]["count"] == 0
    stranger, _ = await api.register("stranger")
    assert (await api.run(MARK_READ, {"c": conv}, stranger))["markRead"]["__typename"] == "NotFoundError"


async def test_concurrent_retries_with_one_client_mutation_id_make_one_message(api: Api) -> None:
    import asyncio

    alice, _, conv = await pair(api)
    ids = await asyncio.gather(
        *(send_ok(api, alice, conv, "same", clientMutationId="burst") for _ in range(8))
    )
    assert len(set(ids)) == 1
    data = await api.run(PAGE, {"id": conv}, alice)
    assert data["conversation"]["messages"]["totalCount"] == 1
