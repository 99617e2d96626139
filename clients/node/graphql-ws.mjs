// The bare graphql-ws client: every operation (queries and mutations too) over one websocket.
// PARLEY_URL=http://127.0.0.1:8000/graphql PARLEY_TOKEN=... PARLEY_CONVERSATION=<id> \
// PARLEY_OTHER_CONVERSATION=<id> node graphql-ws.mjs     (prints one JSON line per result)
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { PARLEY_URL: url, PARLEY_TOKEN: token } = process.env;
const print = (line) => console.log(JSON.stringify(line));

const client = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket, // Node 20 has no global WebSocket
  connectionParams: { Authorization: `Bearer ${token}` }, // sockets authenticate in connection_init
  shouldRetry: (event) => ![4401, 4403].includes(event.code), // graphql-ws retries 4403 by default
});

const START = "query Start { viewer { id username } eventCursor }";
const EVENTS = `subscription Events($c: ID!, $after: String) {
  messageEvents(filter: {conversation: $c}, after: $after) { kind message { id text author { username } } }
}`;
const SEND = `mutation Send($c: ID!, $text: String!) {
  sendMessage(input: {conversation: $c, text: $text}) {
    __typename ... on Message { id text } ... on Error { code message }
  }
}`;

// one result of a query or mutation; a refused socket rejects with its close event
const once = async (query, variables) => (await client.iterate({ query, variables }).next()).value;

async function main() {
  let start;
  try {
    start = await once(START);
  } catch (event) { // a bad token: the socket is closed with 4403 (4401 when revoked later)
    print({ rejected: "websocket", code: event.code });
    return;
  }
  print({ query: start.data });
  const conversation = process.env.PARLEY_CONVERSATION;
  // subscribe after the cursor the page was read at: nothing is missed, however late it starts
  const events = client.iterate({ query: EVENTS, variables: { c: conversation, after: start.data.eventCursor } });
  const event = events.next();
  const sent = await once(SEND, { c: conversation, text: "hello from graphql-ws" });
  print({ sent: sent.data.sendMessage });
  const refused = await once(SEND, { c: process.env.PARLEY_OTHER_CONVERSATION, text: "let me in" });
  print({ error: refused.data.sendMessage }); // a typed error, not an exception
  print({ event: (await event).value.data.messageEvents });
  await events.return();
}

try {
  await main();
} finally {
  await client.dispose();
}
