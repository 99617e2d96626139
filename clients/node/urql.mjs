// urql (@urql/core) with its default exchanges and settings (queries go as GET within the URL
// limit), plus a subscriptionExchange over graphql-ws.
// PARLEY_URL=http://127.0.0.1:8000/graphql PARLEY_TOKEN=... PARLEY_CONVERSATION=<id> \
// PARLEY_OTHER_CONVERSATION=<id> node urql.mjs     (prints one JSON line per result)
import { Client, cacheExchange, fetchExchange, gql, subscriptionExchange } from "@urql/core";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { PARLEY_URL: url, PARLEY_TOKEN: token } = process.env;
const print = (line) => console.log(JSON.stringify(line));

let closeCode = null;
const sockets = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket, // Node 20 has no global WebSocket
  connectionParams: { Authorization: `Bearer ${token}` }, // sockets authenticate in connection_init
  on: { closed: (event) => (closeCode = event.code) }, // 4403: token refused, 4401: revoked later
  shouldRetry: (event) => ![4401, 4403].includes(event.code), // graphql-ws retries 4403 by default
});
const client = new Client({
  url,
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({ unsubscribe: sockets.subscribe({ ...request, query: request.query ?? "" }, sink) }),
      }),
    }),
  ],
  fetchOptions: { headers: { Authorization: `Bearer ${token}` } },
});

const START = gql`query Start { viewer { id username } eventCursor }`;
const EVENTS = gql`subscription Events($c: ID!, $after: String) {
  messageEvents(filter: {conversation: $c}, after: $after) { kind message { id text author { username } } }
}`;
const SEND = gql`mutation Send($c: ID!, $text: String!) {
  sendMessage(input: {conversation: $c, text: $text}) {
    __typename ... on Message { id text } ... on Error { code message }
  }
}`;

async function main() {
  const start = await client.query(START, {}).toPromise();
  if (start.error) { // a bad token: HTTP 401 with a JSON body
    print({ rejected: "http", status: start.error.response?.status,
            code: start.error.graphQLErrors[0]?.extensions?.code });
    await new Promise((resolve) => client.subscription(EVENTS, { c: "x" }).subscribe(resolve));
    print({ rejected: "websocket", code: closeCode });
    return;
  }
  print({ query: start.data });
  const conversation = process.env.PARLEY_CONVERSATION;
  // subscribe after the cursor the page was read at: nothing is missed, however late it starts
  const event = new Promise((resolve) => {
    const events = client.subscription(EVENTS, { c: conversation, after: start.data.eventCursor })
      .subscribe((result) => { events.unsubscribe(); resolve(result); });
  });
  const sent = await client.mutation(SEND, { c: conversation, text: "hello from urql" }).toPromise();
  print({ sent: sent.data.sendMessage });
  const refused = await client.mutation(SEND, { c: process.env.PARLEY_OTHER_CONVERSATION, text: "let me in" }).toPromise();
  print({ error: refused.data.sendMessage }); // a typed error, not an exception
  const { data, error } = await event;
  print({ event: data?.messageEvents ?? error?.message });
}

try {
  await main();
} finally {
  await sockets.dispose();
}
