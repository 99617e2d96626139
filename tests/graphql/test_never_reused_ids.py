"""An id that reached a client never names another object later (SQLite reused the largest one)."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok
from tests.graphql.test_announcements import publish, world

DELETE = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) {
  __typename ... on DeleteMessageSuccess { deletedIds } } }"""
EDIT_ATTACHMENTS = """mutation($id: ID!, $files: [AttachmentInput!]) {
  editMessage(input: {ref: {id: $id}, attachments: $files}) {
    __typename ... on Message { attachments { id name } } } }"""


def file(name: str) -> dict[str, object]:
    return {"name": name, "url": f"https://files.example/{name}", "mimeType": "text/plain", "size": 3}


async def test_a_deleted_newest_message_does_not_lend_its_id_to_the_next(api: Api) -> None:
    ann, _ = await api.register("ann")
    _, ben = await api.register("ben")
    conversation = await create_conversation(api, ann, [ben])
    await send_ok(api, ann, conversation, "first")
    newest = await send_ok(api, ann, conversation, "newest")
    deleted = (await api.run(DELETE, {"id": newest}, ann))["deleteMessage"]
    assert deleted["__typename"] == "DeleteMessageSuccess", deleted
    again = await send_ok(api, ann, conversation, "sent after the delete")
    assert again != newest


async def test_replaced_attachments_get_new_ids(api: Api) -> None:
    ann, _ = await api.register("ann")
    _, ben = await api.register("ben")
    conversation = await create_conversation(api, ann, [ben])
    message = await send_ok(api, ann, conversation, "with a file", attachments=[file("a.txt")])
    first = (await api.run(EDIT_ATTACHMENTS, {"id": message, "files": [file("a.txt")]}, ann))["editMessage"]
    second = (await api.run(EDIT_ATTACHMENTS, {"id": message, "files": [file("b.txt")]}, ann))["editMessage"]
    assert first["attachments"][0]["id"] != second["attachments"][0]["id"]


async def test_a_deleted_newest_announcement_does_not_lend_its_id(api: Api) -> None:
    w, staff = await world(api)
    first = (await publish(w, "alice", [staff]))["announcement"]["id"]
    delete = """mutation($id: ID!) { deleteAnnouncement(input: {id: $id}) { __typename } }"""
    assert (await w.run("alice", delete, {"id": first}))["deleteAnnouncement"][
        "__typename"
    ] == "DeleteAnnouncementSuccess"
    second = (await publish(w, "alice", [staff]))["announcement"]["id"]
    assert second != first
