"""GraphQL documents and small steps shared by the GraphQL tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

CREATE_CONVERSATION = """mutation($input: CreateConversationInput!) { createConversation(input: $input) {
  __typename ... on Error { code message } ... on NotFoundError { ids }
  ... on CreateConversationSuccess { conversation { id title isDirect participants { username } } } } }"""

SEND = """mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  __typename ... on Error { code reason: message } ... on InvalidInputError { field }
  ... on LimitExceededError { limit field }
  ... on Message { id text rawText createdAt author { username }
      conversation { id } attachments { id name url mimeType size } } } }"""


async def create_conversation(api: Api, token: str, participants: list[str], title: str | None = None) -> str:
    data = await api.run(
        CREATE_CONVERSATION, {"input": {"participants": participants, "title": title}}, token
    )
    result = data["createConversation"]
    assert result["__typename"] == "CreateConversationSuccess", result
    return result["conversation"]["id"]


async def send(api: Api, token: str, conversation: str, text: str, **extra: Any) -> dict[str, Any]:
    data = await api.run(SEND, {"input": {"conversation": conversation, "text": text, **extra}}, token)
    return data["sendMessage"]


async def send_ok(api: Api, token: str, conversation: str, text: str, **extra: Any) -> str:
    result = await send(api, token, conversation, text, **extra)
    assert result["__typename"] == "Message", result
    return result["id"]
