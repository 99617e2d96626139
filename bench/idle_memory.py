"""Memory per idle subscription: the server's RSS before and after N idle websocket subscribers.

Run: .venv/bin/python bench/idle_memory.py [--subscribers 1000] [--authenticated]
A real `parley serve` (SQLite file, production settings, as bench/fanout_latency.py starts it);
N graphql-transport-ws clients each open one socket and subscribe to
`messageAdded(filter: {topic: "/Bench"})` (anonymous, or each with its own user's token), then
stay idle. Reported: the server's VmRSS (from /proc) before the sockets, with them open and
settled, and the difference per subscription; then one message is sent to check that they are live.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as bench/idle_memory.py

from bench.fanout_latency import SUBSCRIBE, admin_with_bench_topic, free_port, graphql, rss_kib, start_parley  # noqa: E402


async def settled_rss(pid: int) -> int:
    """The RSS once it stops moving (the allocator and the event loop catch up)."""
    last = rss_kib(pid)
    for _ in range(20):
        await asyncio.sleep(0.5)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


async def open_subscriber(url: str, token: str | None) -> websockets.ClientConnection:
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"], max_queue=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token} if token else {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def measure(subscribers: int, authenticated: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="parley-idle-"))
    port = free_port()
    server = start_parley(workdir, port)
    try:
        http = f"http://127.0.0.1:{port}/graphql"
        async with httpx.AsyncClient(timeout=60) as client:
            admin = await admin_with_bench_topic(client, http)
            tokens: list[str | None] = [None] * subscribers
            if authenticated:
                for i in range(subscribers):
                    register = (
                        f'mutation {{ register(input: {{username: "u{i}", password: "password-123"}}) '
                        "{ ... on RegisterSuccess { token } } }"
                    )
                    tokens[i] = (await graphql(client, http, register))["register"]["token"]
            # warm up: one subscriber comes and goes, so imports and caches are not counted
            warm = await open_subscriber(f"ws://127.0.0.1:{port}/graphql", tokens[0])
            await warm.close()
            before = await settled_rss(server.pid)
            sockets = []
            started = time.perf_counter()
            for i in range(subscribers):
                sockets.append(await open_subscriber(f"ws://127.0.0.1:{port}/graphql", tokens[i]))
            opened = time.perf_counter() - started
            await asyncio.sleep(1.0)
            after = await settled_rss(server.pid)
            await graphql(
                client,
                http,
                'mutation { sendMessage(input: {topic: "/Bench", text: "hi"}) { __typename } }',
                admin,
            )
            frames = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 60) for ws in sockets))
            assert all(json.loads(f)["type"] == "next" for f in frames)
            kind = "authenticated" if authenticated else "anonymous"
            print(
                f"{subscribers} idle {kind} subscriptions (opened in {opened:.1f} s): server RSS "
                f"{before / 1024:.1f} MiB -> {after / 1024:.1f} MiB, "
                f"{(after - before) / subscribers:.1f} KiB per subscription; all {len(frames)} got a message"
            )
            await asyncio.gather(*(ws.close() for ws in sockets))
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--authenticated", action="store_true")
    args = parser.parse_args()
    asyncio.run(measure(args.subscribers, args.authenticated))


if __name__ == "__main__":
    main()
