"""The benchmark's cases: one GraphQL document each, its variables, and the raw reference's path.

Parley and the Node peer get the same body at /graphql; the raw reference gets it at its own
path (it reads `variables` and ignores `query`). Dates and ids vary per send, so the send case
is checked for its shape only; the read cases must answer byte-for-byte the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

BY_ID = """query ById($id: ID!) {
  message(id: $id) { id text createdAt author { username } }
}"""

SEND = """mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { __typename ... on Message { id text createdAt author { username } } }
}"""

PAGE = """query Page($id: ID!, $first: Int) {
  conversation(id: $id) {
    messages(first: $first) {
      edges { node { id text createdAt author { username } reactions { content count users { username } } } }
      pageInfo { hasNextPage }
    }
  }
}"""

TAGS = """query Tags($tags: [String!], $first: Int) {
  messages(filter: {tags: $tags}, first: $first) {
    edges { node { id text createdAt author { username } } }
    pageInfo { hasNextPage }
  }
}"""

FAN_SUBSCRIBE = """subscription Fan {
  messageAdded(filter: {topic: "/Fan"}) { id text createdAt author { username } }
}"""

FAN_SEND = """mutation FanSend($input: SendMessageInput!) {
  sendMessage(input: $input) { __typename }
}"""


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    query: str
    raw_path: str
    exact: bool  # the three answers must be equal (reads), else only the shape (send)

    def variables(self, fixture: dict[str, Any]) -> dict[str, Any]:
        if self.key == "by_id":
            return {"id": fixture["message"]}
        if self.key == "send":
            return {"input": {"conversation": fixture["send_conversation"], "text": "bench message"}}
        if self.key == "page":
            return {"id": fixture["page_conversation"], "first": 50}
        if self.key == "tags":
            return {"tags": fixture["tags"], "first": 20}
        raise KeyError(self.key)

    def body(self, fixture: dict[str, Any]) -> str:
        return json.dumps({"query": self.query, "variables": self.variables(fixture)})


CASES = [
    Case("by_id", "`message(id)` with author", BY_ID, "/by-id", True),
    Case("send", "`sendMessage` (conversation)", SEND, "/send", False),
    Case("page", "page of 50 with author and reactions", PAGE, "/page", True),
    Case("tags", "`messages(filter: {tags}, first: 20)`", TAGS, "/tags", True),
]


def shape(value: Any) -> Any:
    """The JSON with every leaf replaced by its type: what a send answer must share."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__
