"""Documents and steps for the topic tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_PASSWORD, Api

CREATE_TOPIC = """mutation($input: CreateTopicInput!) { createTopic(input: $input) {
  __typename ... on Error { code message } ... on ForbiddenError { right parameter } ... on InvalidInputError { field }
  ... on CreateTopicSuccess { topic { id path name readOnly viewerIsAdmin parent { path } } } } }"""
SET_ACCESS = """mutation($input: SetTopicAccessInput!) { setTopicAccess(input: $input) {
  __typename ... on Error { code message } ... on SetTopicAccessSuccess { topicCount topic { path } } } }"""
SET_PARAMETERS = """mutation($input: SetTopicParametersInput!) { setTopicParameters(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on SetTopicParametersSuccess { topic { parameters { maxLength maxReplies canForceDate canUpdateMessage
    canUpdateAllMessages canDeleteMessage canDeleteAllMessages adminCanUpdateAllMessages adminCanDeleteAllMessages
    extra } } } } }"""
SEND = """mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  __typename ... on Error { code reason: message } ... on InvalidInputError { field } ... on ForbiddenError { right parameter }
  ... on LimitExceededError { limit field } ... on AmbiguousReferenceError { ids }
  ... on Message { id text tags urls createdAt labels { text color } mentions { username }
    topic { path } inReplyTo { id } root { id } replyCount
    replies { edges { node { id text root { id } } } } } } }"""
MESSAGE = """query($id: ID!) { message(id: $id) { id text tags labels { text color } likeCount viewerHasLiked
  likers { username } votesUp votesDown viewerVote isTask replyCount topic { path } updatedAt
  revisions { text } root { id } } }"""
CREATE_GROUP = """mutation($input: CreateGroupInput!) { createGroup(input: $input) {
  __typename ... on Error { code message } ... on CreateGroupSuccess { group { id name } } } }"""


class World:
    """admin, alice, bob, carol and a /Team topic administered by the admin."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    async def setup(self) -> World:
        login = await self.api.login("admin", ADMIN_PASSWORD)
        self.tokens["admin"] = login["token"]
        self.ids["admin"] = login["user"]["id"]
        for name in ("alice", "bob", "carol"):
            self.tokens[name], self.ids[name] = await self.api.register(name)
        await self.create("admin", "/Team")
        return self

    async def run(
        self, who: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.api.run(query, variables, self.tokens[who] if who else None)

    async def create(self, who: str, path: str, **extra: Any) -> dict[str, Any]:
        result = (await self.run(who, CREATE_TOPIC, {"input": {"path": path, **extra}}))["createTopic"]
        return result

    async def grant(
        self, who: str, topic: str, role: str, users: list[str] = (), groups: list[str] = (), **extra: Any
    ) -> dict[str, Any]:
        variables = {
            "input": {
                "topic": topic,
                "role": role,
                "users": [self.ids[u] for u in users],
                "groups": list(groups),
                **extra,
            }
        }
        return (await self.run(who, SET_ACCESS, variables))["setTopicAccess"]

    async def params(self, who: str, topic: str, **values: Any) -> dict[str, Any]:
        return (await self.run(who, SET_PARAMETERS, {"input": {"topic": topic, **values}}))[
            "setTopicParameters"
        ]

    async def send(self, who: str, topic: str, text: str, **extra: Any) -> dict[str, Any]:
        return (await self.run(who, SEND, {"input": {"topic": topic, "text": text, **extra}}))["sendMessage"]

    async def send_ok(self, who: str, topic: str, text: str, **extra: Any) -> dict[str, Any]:
        result = await self.send(who, topic, text, **extra)
        assert result["__typename"] == "Message", result
        return result

    async def message(self, who: str | None, message_id: str) -> dict[str, Any] | None:
        return (await self.run(who, MESSAGE, {"id": message_id}))["message"]

    async def group(self, who: str, name: str, members: list[str]) -> str:
        data = await self.run(
            who, CREATE_GROUP, {"input": {"name": name, "members": [self.ids[m] for m in members]}}
        )
        assert data["createGroup"]["__typename"] == "CreateGroupSuccess", data
        return data["createGroup"]["group"]["id"]
