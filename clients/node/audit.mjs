// The GraphQL-over-HTTP conformance audit of graphql-http against a running Parley.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON object: {"counts": {"ok": n, "notice": n, "warn": n, "error": n}, "failures": [...]}.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    let body = null;
    try {
      body = await result.response.text();
    } catch {
      // the audit may have read the body already
    }
    failures.push({
      id: result.id,
      name: result.name,
      status: result.status,
      reason: result.reason,
      httpStatus: result.response ? result.response.status : null,
      body: body === null ? null : body.slice(0, 300),
    });
  }
}
console.log(JSON.stringify({ counts, failures }, null, 2));
