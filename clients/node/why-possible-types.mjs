// Why Apollo needs possibleTypes: a messagesByIds answer (a Message, or a NotFoundError for an id
// the viewer cannot see) written to an InMemoryCache without and with them, then read back as
// every watched query reads it. Without them the cache cannot know that NotFoundError implements
// Error, so it skips `... on Error { code message }` and keeps only the __typename.
import { InMemoryCache, gql } from "@apollo/client/core/index.js";
import { possibleTypes } from "./possible-types.mjs";

const query = gql`query Messages($ids: [ID!]!) {
  messagesByIds(ids: $ids) { __typename ... on Message { id text } ... on Error { code message } }
}`;
const variables = { ids: ["TWVzc2FnZTo5OQ=="] };
const data = { messagesByIds: [{ __typename: "NotFoundError", code: "NOT_FOUND", message: "Message not found." }] };
for (const types of [{}, possibleTypes()]) {
  const cache = new InMemoryCache({ possibleTypes: types });
  cache.writeQuery({ query, variables, data });
  const read = cache.readQuery({ query, variables }).messagesByIds[0];
  console.log(JSON.stringify({ possibleTypes: Object.keys(types).length > 0, read }));
}
