"""Python gql: queries and mutations over HTTP (httpx), subscriptions over websockets.

PARLEY_URL=http://127.0.0.1:8000/graphql PARLEY_TOKEN=... PARLEY_CONVERSATION=<id>
PARLEY_OTHER_CONVERSATION=<id> python gql_client.py     (prints one JSON line per result)
"""

import asyncio
import json
import os

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

URL, TOKEN = os.environ["PARLEY_URL"], os.environ["PARLEY_TOKEN"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}

START = GraphQLRequest("query Start { viewer { id username } eventCursor }")
EVENTS = """subscription Events($c: ID!, $after: String) {
  messageEvents(filter: {conversation: $c}, after: $after) { kind message { id text author { username } } }
}"""
SEND = """mutation Send($c: ID!, $text: String!) {
  sendMessage(input: {conversation: $c, text: $text}) {
    __typename ... on Message { id text } ... on Error { code message }
  }
}"""


def show(**line: object) -> None:
    print(json.dumps(line), flush=True)


async def main() -> None:
    http = Client(transport=HTTPXAsyncTransport(url=URL, headers=AUTH))
    # sockets authenticate in connection_init: a bad token closes them with 4403
    live = Client(transport=WebsocketsTransport(url=URL.replace("http", "ws", 1), init_payload=AUTH))
    try:
        async with http as session:
            start = await session.execute(START)
    except TransportQueryError as error:  # a bad token: HTTP 401 whose JSON body says why
        show(rejected="http", code=(error.errors or [{}])[0].get("extensions", {}).get("code"))
        try:
            async with live:
                pass
        except TransportConnectionFailed as failed:  # caused by websockets' ConnectionClosed
            closed = failed.__cause__
            show(
                rejected="websocket",
                code=closed.rcvd.code if isinstance(closed, ConnectionClosed) and closed.rcvd else None,
            )
        return
    show(query=start)
    conversation = os.environ["PARLEY_CONVERSATION"]
    async with http as session, live as socket:
        # subscribe after the cursor the page was read at: nothing is missed, however late it starts
        variables = {"c": conversation, "after": start["eventCursor"]}
        events = socket.subscribe(GraphQLRequest(EVENTS, variable_values=variables))
        event = asyncio.ensure_future(anext(events))
        sent = await session.execute(
            GraphQLRequest(SEND, variable_values={"c": conversation, "text": "hello from gql"})
        )
        show(sent=sent["sendMessage"])
        other = {"c": os.environ["PARLEY_OTHER_CONVERSATION"], "text": "let me in"}
        refused = await session.execute(GraphQLRequest(SEND, variable_values=other))
        show(error=refused["sendMessage"])  # a typed error, not an exception
        show(event=(await event)["messageEvents"])
        await events.aclose()  # ends the subscription, so the socket closes at once


asyncio.run(main())
