// The websocket load client of the fan-out cases (run pinned to the load generator's core).
//
// Opens `subscribers` graphql-transport-ws sockets (connection_init, then one subscription with
// id "1"), then sends `messages` messages over HTTP: one every intervalMs on a fixed schedule
// (whether or not the last send was answered), or as a burst (intervalMs 0). Each delivery is matched to its send
// by the message text ("fan <run> <n>"); latency is from just before the HTTP send to receipt.
// A burst keeps `concurrency` sends in flight, so the server's fan-out, not the HTTP round trip
// of each send, sets the pace.
// With "hold" it prints {"event":"subscribed"} once every socket is subscribed and waits for a
// line on stdin before sending (the harness reads the server's memory meanwhile).
// Prints one JSON line: {"event":"result", deliveries, expected, p50, p99, max, rate, ...}.
//
// Run: node fanout.mjs '<json options>'  (bench/harness.py's run_fanout builds them)

import { createInterface } from "node:readline";
import WebSocket from "ws";

const o = JSON.parse(process.argv[2]);
const run = o.run ?? String(Date.now());
const sent = new Float64Array(o.messages);
const latencies = [];
const perMessage = new Uint32Array(o.messages);
let lastArrival = 0;
let subscribed = 0;
let failed = 0;
const sockets = [];
const expected = o.subscribers * o.messages;
let finish;
const allIn = new Promise((resolve) => { finish = resolve; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function open() {
  return new Promise((resolve) => {
    const ws = new WebSocket(o.wsUrl, "graphql-transport-ws", { perMessageDeflate: false });
    let done = false;
    const settle = (ok) => { if (!done) { done = true; if (!ok) failed++; resolve(); } };
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: o.connectionParams ?? {} })));
    ws.on("message", (data) => {
      const now = performance.now();
      const frame = JSON.parse(data.toString());
      if (frame.type === "connection_ack") {
        ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: o.query } }));
        subscribed++;
        settle(true);
        return;
      }
      if (frame.type === "ping") { ws.send('{"type":"pong"}'); return; }
      if (frame.type !== "next") {
        if (frame.type === "error") console.error("subscription error", JSON.stringify(frame.payload));
        return;
      }
      const words = frame.payload?.data?.messageAdded?.text?.split(" ") ?? [];
      if (words[1] !== run) return;
      const n = Number(words[2]);
      latencies.push(now - sent[n]);
      perMessage[n]++;
      lastArrival = now;
      if (latencies.length === expected) finish();
    });
    ws.on("error", () => settle(false));
    ws.on("close", () => settle(false));
    sockets.push(ws);
  });
}

const connectStart = performance.now();
for (let i = 0; i < o.subscribers; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, o.subscribers - i) }, open));
}
const connectMs = performance.now() - connectStart;
if (failed) out({ event: "warning", message: `${failed} sockets failed to subscribe` });
await sleep(o.settleMs ?? 1000); // every subscription registered on the server

if (o.hold) {
  out({ event: "subscribed", subscribed });
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once("line", resolve));
  lines.close();
}

const headers = { "content-type": "application/json" };
if (o.token) headers.authorization = `Bearer ${o.token}`;
const sendMs = [];
let sendErrors = 0;
async function send(n) {
  sent[n] = performance.now();
  const body = JSON.stringify({ query: o.sendQuery, variables: { input: { topic: o.topic, text: `fan ${run} ${n}` } } });
  const res = await fetch(o.sendUrl, { method: "POST", headers, body });
  const answer = await res.text();
  if (!res.ok || answer.includes('"errors"')) {
    sendErrors++;
    if (sendErrors === 1) console.error("send failed", res.status, answer.slice(0, 300));
  }
  sendMs.push(performance.now() - sent[n]);
}

const start = performance.now();
if (o.intervalMs > 0) {
  // on schedule whatever the answers' pace: a slow server gets several sends in flight
  const inFlight = [];
  for (let n = 0; n < o.messages; n++) {
    const wait = start + n * o.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(n));
  }
  await Promise.all(inFlight);
} else {
  // a burst: `concurrency` senders (default 1) take the next message as soon as theirs is answered
  let next = 0;
  const sender = async () => { while (next < o.messages) await send(next++); };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 1) }, sender));
}
if (expected === 0) finish();
const lastSend = performance.now();
const timeout = sleep(o.timeoutMs ?? 60000).then(() => "timeout");
const outcome = await Promise.race([allIn.then(() => "complete"), timeout]);

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] : null);
sendMs.sort((a, b) => a - b);
out({
  event: "result",
  outcome,
  subscribers: o.subscribers,
  subscribed,
  messages: o.messages,
  intervalMs: o.intervalMs,
  expected,
  deliveries: latencies.length,
  p50: pct(50),
  p99: pct(99),
  max: latencies.length ? latencies[latencies.length - 1] : null,
  rate: latencies.length ? (latencies.length * 1000) / (lastArrival - start) : 0,
  sendMedianMs: sendMs[Math.floor(sendMs.length / 2)],
  sendSeconds: (lastSend - start) / 1000,
  sendErrors,
  connectMs,
});
for (const ws of sockets) ws.terminate();
process.exit(0);
