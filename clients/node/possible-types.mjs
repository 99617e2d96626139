// possibleTypes for Apollo's InMemoryCache, from Parley's schema.graphql: every interface and
// union mapped to the object types it can be. Without it the cache cannot tell that a
// NotFoundError is an Error, so `... on Error { code message }` matches nothing.
// `node possible-types.mjs [schema.graphql] > possibleTypes.json` writes it for a build step.
import { readFileSync } from "node:fs";
import { buildSchema, isAbstractType } from "graphql";

export function possibleTypes(path = new URL("../../schema.graphql", import.meta.url)) {
  const schema = buildSchema(readFileSync(path, "utf8"));
  const result = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type) && !type.name.startsWith("__")) {
      result[type.name] = schema.getPossibleTypes(type).map((t) => t.name).sort();
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(possibleTypes(process.argv[2]), null, 2));
}
