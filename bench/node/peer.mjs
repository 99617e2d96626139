// The Node peer of Parley's benchmark: graphql-js + graphql-ws + ws, HTTP through node:http,
// reading and writing the same SQLite file (better-sqlite3, synchronous, with Parley's pragmas).
//
// A small schema whose names match Parley's, so the very documents of bench/cases.py run here:
//   message(id), conversation(id).messages(first) with authors and reactions,
//   messages(filter: {tags}, first), sendMessage(input: {conversation | topic, text}),
//   subscription messageAdded(filter: {topic}).
// The same bearer-token check (SHA-256 of the token, unexpired), the same read rules
// (conversation membership; a topic read-only, granted to the user or one of their groups, or
// the viewer an admin), the same JSON (global ids base64("Type:pk"), ISO dates with +00:00).
// Parsed and validated documents are cached by their text, as graphql-yoga and Apollo do.
//
// Run: node peer.mjs --port N --db path/to/parley.db

import { createHash } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";
import { buildSchema, execute, GraphQLError, parse, validate } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (v.startsWith("--") ? [...pairs, [v.slice(2), all[i + 1]]] : pairs), []),
);
const port = Number(args.port);
const db = new Database(args.db);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 10000");
db.pragma("foreign_keys = ON");

const schema = buildSchema(`
  type Query {
    message(id: ID!): Message
    conversation(id: ID!): Conversation
    messages(filter: MessageFilter, first: Int): MessageConnection!
  }
  type Mutation { sendMessage(input: SendMessageInput!): SendMessageResult! }
  type Subscription { messageAdded(filter: MessageFilter): Message! }
  input MessageFilter { topic: String, tags: [String!] }
  input SendMessageInput { conversation: ID, topic: String, text: String! }
  union SendMessageResult = Message | NotFoundError
  type NotFoundError { code: String! message: String! }
  type User { username: String! }
  type ReactionGroup { content: String! count: Int! users: [User!]! }
  type Message { id: ID! text: String! createdAt: String! author: User! reactions: [ReactionGroup!]! }
  type PageInfo { hasNextPage: Boolean! }
  type MessageEdge { node: Message! }
  type MessageConnection { edges: [MessageEdge!]! pageInfo: PageInfo! }
  type Conversation { id: ID! messages(first: Int): MessageConnection! }
`);

// ---- data ----------------------------------------------------------------------------------
const FMT_NOW = () => new Date().toISOString().replace("T", " ").replace("Z", "000"); // as SQLAlchemy stores
const gid = (type, pk) => Buffer.from(`${type}:${pk}`).toString("base64");
const pkOf = (value, type) => {
  const [t, pk] = Buffer.from(String(value), "base64").toString().split(":");
  return t === type && /^\d+$/.test(pk ?? "") ? Number(pk) : null;
};
const iso = (stored) => {
  const [date, time] = stored.split(" ");
  return `${date}T${time.endsWith(".000000") ? time.slice(0, -7) : time}+00:00`;
};

const tokenStmt = db.prepare(`
  SELECT u.id, u.username,
    EXISTS (SELECT 1 FROM user_rights r WHERE r.user_id = u.id AND r."right" = 'admin') AS is_admin
  FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ?`);
// the read check: a conversation the viewer is in, or a topic they may read
const READABLE = `(
  (m.conversation_id IS NOT NULL AND EXISTS (SELECT 1 FROM conversation_participants p
     WHERE p.conversation_id = m.conversation_id AND p.user_id = @uid))
  OR (m.topic_id IS NOT NULL AND m.topic_id IN (SELECT t.id FROM topics t WHERE t.read_only = 1 OR @admin = 1
     OR EXISTS (SELECT 1 FROM topic_access a WHERE a.topic_id = t.id AND a.role >= 1 AND (
       (a.principal_kind = 'user' AND a.principal_id = @uid)
       OR (a.principal_kind = 'group' AND a.principal_id IN (SELECT g.group_id FROM group_members g WHERE g.user_id = @uid))))))
  OR (m.conversation_id IS NULL AND m.topic_id IS NULL AND m.author_id = @uid))`;
const byIdStmt = db.prepare(`SELECT m.id, m.text, m.created_at, u.username FROM messages m
  JOIN users u ON u.id = m.author_id WHERE m.id = @id AND ${READABLE}`);
const memberStmt = db.prepare("SELECT 1 FROM conversation_participants WHERE conversation_id = ? AND user_id = ?");
const pageStmt = db.prepare(`SELECT m.id, m.text, m.created_at, u.username FROM messages m
  JOIN users u ON u.id = m.author_id WHERE m.conversation_id = ? ORDER BY m.id DESC LIMIT ?`);
const reactionStmts = new Map();
const tagStmts = new Map();
const topicStmt = db.prepare("SELECT id, read_only FROM topics WHERE path = ?");
const levelStmt = db.prepare(`SELECT max(a.role) AS role FROM topic_access a WHERE a.topic_id = @tid AND (
  (a.principal_kind = 'user' AND a.principal_id = @uid)
  OR (a.principal_kind = 'group' AND a.principal_id IN (SELECT group_id FROM group_members WHERE user_id = @uid)))`);
const insertStmt = db.prepare(`INSERT INTO messages(conversation_id, topic_id, author_id, text, created_at,
  reply_count, like_count, votes_up, votes_down, urls, parameters) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, '[]', '[]')`);
const touchStmt = db.prepare("UPDATE conversations SET last_activity_at = ? WHERE id = ?");

function viewerOf(header) {
  if (!header) return null;
  const [scheme, token] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() !== "bearer" || !token) return null;
  const row = tokenStmt.get(createHash("sha256").update(token).digest("hex"), FMT_NOW());
  if (!row) throw new Error("unauthorized");
  return { id: row.id, username: row.username, admin: row.is_admin === 1 };
}

const node = (r) => ({ id: gid("Message", r.id), text: r.text, createdAt: iso(r.created_at), author: { username: r.username }, _id: r.id });

function reactionsFor(ids) {
  if (!ids.length) return new Map();
  let stmt = reactionStmts.get(ids.length);
  if (!stmt) {
    stmt = db.prepare(`SELECT r.message_id, r.content, u.username FROM reactions r JOIN users u ON u.id = r.user_id
      WHERE r.message_id IN (${ids.map(() => "?").join(",")}) ORDER BY r.created_at, r.user_id`);
    reactionStmts.set(ids.length, stmt);
  }
  const out = new Map(ids.map((i) => [i, new Map()]));
  for (const r of stmt.all(...ids)) {
    const groups = out.get(r.message_id);
    if (!groups.has(r.content)) groups.set(r.content, []);
    groups.get(r.content).push({ username: r.username });
  }
  return out;
}

// ---- live ----------------------------------------------------------------------------------
const subscribers = new Map(); // topic id -> Set of push functions

function subscribeTopic(topicId) {
  const queue = [];
  let wake = null;
  let done = false;
  const push = (value) => {
    queue.push(value);
    if (wake) { wake(); wake = null; }
  };
  if (!subscribers.has(topicId)) subscribers.set(topicId, new Set());
  subscribers.get(topicId).add(push);
  const stop = () => { done = true; subscribers.get(topicId)?.delete(push); if (wake) { wake(); wake = null; } };
  return {
    [Symbol.asyncIterator]() { return this; },
    async next() {
      while (!queue.length && !done) await new Promise((resolve) => { wake = resolve; });
      return done && !queue.length ? { done: true, value: undefined } : { done: false, value: queue.shift() };
    },
    async return() { stop(); return { done: true, value: undefined }; },
  };
}

// ---- resolvers -----------------------------------------------------------------------------
function connection(rows, first, withReactions) {
  const more = rows.length > first;
  const page = rows.slice(0, first).map(node);
  if (withReactions) {
    const groups = reactionsFor(page.map((n) => n._id));
    for (const n of page) {
      n.reactions = [...groups.get(n._id)].map(([content, users]) => ({ content, count: users.length, users }));
    }
  }
  return { edges: page.map((n) => ({ node: n })), pageInfo: { hasNextPage: more } };
}

const root = {
  message({ id }, ctx) {
    const pk = pkOf(id, "Message");
    const row = pk === null ? null : byIdStmt.get({ id: pk, uid: ctx.viewer?.id ?? -1, admin: ctx.viewer?.admin ? 1 : 0 });
    return row ? node(row) : null;
  },
  conversation({ id }, ctx) {
    const pk = pkOf(id, "Conversation");
    if (pk === null || !ctx.viewer || !memberStmt.get(pk, ctx.viewer.id)) return null;
    return {
      id,
      messages: ({ first }) => {
        const n = Math.min(first ?? 20, 100);
        return connection(pageStmt.all(pk, n + 1), n, true);
      },
    };
  },
  messages({ filter, first }, ctx) {
    const n = Math.min(first ?? 20, 100);
    const tags = (filter?.tags ?? []).map((t) => t.toLowerCase().replace(/^#/, ""));
    let stmt = tagStmts.get(tags.length);
    if (!stmt) {
      stmt = db.prepare(`SELECT m.id, m.text, m.created_at, u.username FROM messages m JOIN users u ON u.id = m.author_id
        WHERE m.id IN (SELECT message_id FROM message_tags WHERE tag IN (${tags.map(() => "?").join(",")}))
        AND ${READABLE} ORDER BY m.created_at DESC, m.id DESC LIMIT @limit`);
      tagStmts.set(tags.length, stmt);
    }
    const rows = stmt.all(...tags, { uid: ctx.viewer?.id ?? -1, admin: ctx.viewer?.admin ? 1 : 0, limit: n + 1 });
    return connection(rows, n, false);
  },
  sendMessage({ input }, ctx) {
    const viewer = ctx.viewer;
    if (!viewer) throw new GraphQLError("Log in first.");
    const now = FMT_NOW();
    const notFound = (message) => ({ __typename: "NotFoundError", code: "NOT_FOUND", message });
    if (input.conversation != null) {
      const cid = pkOf(input.conversation, "Conversation");
      const sent = db.transaction(() => {
        if (cid === null || !memberStmt.get(cid, viewer.id)) return null;
        const id = Number(insertStmt.run(cid, null, viewer.id, input.text, now).lastInsertRowid);
        touchStmt.run(now, cid);
        return id;
      }).immediate();
      if (sent === null) return notFound("Conversation not found.");
      return { __typename: "Message", ...node({ id: sent, text: input.text, created_at: now, username: viewer.username }) };
    }
    const topic = topicStmt.get(input.topic ?? "");
    const role = topic ? (levelStmt.get({ tid: topic.id, uid: viewer.id }).role ?? 0) : 0;
    const level = viewer.admin ? 3 : topic?.read_only ? (role === 3 ? 3 : 1) : role;
    if (!topic || level < 2) return notFound(`Topic ${input.topic} not found or not writable.`);
    const id = Number(db.transaction(() => insertStmt.run(null, topic.id, viewer.id, input.text, now).lastInsertRowid).immediate());
    const message = { __typename: "Message", ...node({ id, text: input.text, created_at: now, username: viewer.username }) };
    for (const push of subscribers.get(topic.id) ?? []) push(message);
    return message;
  },
};

// subscriptions: graphql-js calls `subscribe` on the root value's field; resolve passes the event
const subscriptionRoot = {
  messageAdded: {
    subscribe(_parent, { filter }, ctx) {
      const topic = topicStmt.get(filter?.topic ?? "");
      const readable = topic && (topic.read_only === 1 || ctx.viewer?.admin
        || (ctx.viewer && (levelStmt.get({ tid: topic.id, uid: ctx.viewer.id }).role ?? 0) >= 1));
      if (!readable) throw new GraphQLError(`Topic ${filter?.topic} not found.`);
      return subscribeTopic(topic.id);
    },
    resolve: (payload) => payload,
  },
};
schema.getSubscriptionType().getFields().messageAdded.subscribe = subscriptionRoot.messageAdded.subscribe;
schema.getSubscriptionType().getFields().messageAdded.resolve = subscriptionRoot.messageAdded.resolve;
schema.getType("SendMessageResult").resolveType = (value) => value.__typename;

// ---- HTTP ----------------------------------------------------------------------------------
const documents = new Map(); // query text -> parsed and validated document
function documentOf(query) {
  let doc = documents.get(query);
  if (doc) return doc;
  doc = parse(query);
  const errors = validate(schema, doc);
  if (errors.length) return { errors };
  if (documents.size > 1000) documents.clear();
  documents.set(query, doc);
  return doc;
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/readyz") return reply(res, 200, { status: "ok" });
  if (req.method !== "POST" || req.url !== "/graphql") return reply(res, 404, { detail: "not found" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    let viewer;
    try {
      viewer = viewerOf(req.headers.authorization);
    } catch {
      return reply(res, 401, { detail: "Invalid or expired token." });
    }
    try {
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString());
      const document = documentOf(query);
      if (document.errors) return reply(res, 200, { errors: document.errors });
      const result = await execute({
        schema, document, rootValue: root, contextValue: { viewer }, variableValues: variables, operationName,
      });
      reply(res, 200, result);
    } catch (error) {
      reply(res, 400, { errors: [{ message: String(error.message ?? error) }] });
    }
  });
});

const wss = new WebSocketServer({ server, path: "/graphql", perMessageDeflate: false });
useServer(
  {
    schema,
    context: (ctx) => ({ viewer: ctx.extra.viewer ?? null }),
    onConnect: (ctx) => {
      const auth = ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization;
      try {
        ctx.extra.viewer = typeof auth === "string" ? viewerOf(auth) : null;
      } catch {
        return false;
      }
      return true;
    },
  },
  wss,
);

server.listen(port, "127.0.0.1", () => console.log(`node peer on http://127.0.0.1:${port}/graphql`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => { db.close(); process.exit(0); });
