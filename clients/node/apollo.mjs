// Apollo Client 3 in Node: queries and mutations over HTTP, subscriptions over graphql-ws.
// PARLEY_URL=http://127.0.0.1:8000/graphql PARLEY_TOKEN=... PARLEY_CONVERSATION=<id> \
// PARLEY_OTHER_CONVERSATION=<id> node apollo.mjs     (prints one JSON line per result)
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client/core/index.js";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions/index.js";
import { getMainDefinition } from "@apollo/client/utilities/index.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { possibleTypes } from "./possible-types.mjs";

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
const http = new HttpLink({ uri: url, headers: { Authorization: `Bearer ${token}` } });
const client = new ApolloClient({
  link: split(
    ({ query }) => getMainDefinition(query).operation === "subscription",
    new GraphQLWsLink(sockets),
    http,
  ),
  // generated from schema.graphql: lets `... on Error` match NotFoundError, ForbiddenError, ...
  cache: new InMemoryCache({ possibleTypes: possibleTypes() }),
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
  let start;
  try {
    start = await client.query({ query: START });
  } catch (error) { // a bad token: HTTP 401 with a JSON body
    print({ rejected: "http", status: error.networkError?.statusCode,
            code: error.networkError?.result?.errors?.[0]?.extensions?.code });
    await new Promise((resolve) => client.subscribe({ query: EVENTS, variables: { c: "x" } })
      .subscribe({ error: resolve, complete: resolve }));
    print({ rejected: "websocket", code: closeCode });
    return;
  }
  print({ query: start.data });
  const conversation = process.env.PARLEY_CONVERSATION;
  // subscribe after the cursor the page was read at: nothing is missed, however late it starts
  const event = new Promise((resolve, reject) => {
    const events = client.subscribe({
      query: EVENTS, variables: { c: conversation, after: start.data.eventCursor },
    }).subscribe({ next: ({ data }) => { events.unsubscribe(); resolve(data.messageEvents); }, error: reject });
  });
  const sent = await client.mutate({ mutation: SEND, variables: { c: conversation, text: "hello from Apollo" } });
  print({ sent: sent.data.sendMessage });
  const refused = await client.mutate({
    mutation: SEND, variables: { c: process.env.PARLEY_OTHER_CONVERSATION, text: "let me in" },
  });
  print({ error: refused.data.sendMessage }); // a typed error, not an exception
  print({ event: await event });
}

try {
  await main();
} finally {
  client.stop();
  await sockets.dispose();
}
