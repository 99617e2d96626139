"""A simple query's latency with a process full of websockets, and the caps holding at the limit.

Run: .venv/bin/python bench/socket_caps.py [--sockets 10000] [--subscriptions 1] [--queries 1000]
A real `parley serve` (SQLite file, production settings) whose process caps are set to exactly
`--sockets` sockets and `--sockets` x `--subscriptions` subscriptions (PARLEY_MAX_SOCKETS,
PARLEY_MAX_SUBSCRIPTIONS); the per-user and per-address caps keep their defaults, so the sockets
are spread over enough users (100 sockets each by default) and enough loopback addresses
(127.0.0.x, 500 each). Each socket authenticates in connection_init and subscribes
`--subscriptions` times to `messageAdded(filter: {topic: "/Bench"})`; the subscribe rate limit is
off (PARLEY_SUBSCRIBE_PER_SECOND=0: opening fast is part of the setup, not what is measured).

Reported: `{ viewer { username } }` over HTTP (one keep-alive connection, one at a time), p50 /
p99 / max, before any socket and with every socket open; then that one more socket is closed with
1013 and one more subscription gets LIMIT_EXCEEDED, and that one message reaches every
subscription. Needs file descriptors for the sockets on both sides (the bench raises its soft
limit to the hard one; the server inherits it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as bench/socket_caps.py

from bench.fanout_latency import PASSWORD, SUBSCRIBE, admin_with_bench_topic, free_port, graphql, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PER_USER = 100  # PARLEY_MAX_SOCKETS_PER_USER's default
PER_ADDRESS = 500  # half of PARLEY_MAX_SOCKETS_PER_ADDRESS's default
VIEWER = "query Me { viewer { username } }"


def start_parley(workdir: Path, port: int, sockets: int, subscriptions: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        PARLEY_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'caps.db'}",
        PARLEY_ADMIN_PASSWORD=PASSWORD,
        PARLEY_LOG_LEVEL="WARNING",
        PARLEY_ENV="production",
        PARLEY_MAX_SOCKETS=str(sockets),
        PARLEY_MAX_SUBSCRIPTIONS=str(sockets * subscriptions),
        PARLEY_SUBSCRIBE_PER_SECOND="0",
        PARLEY_ARGON2_TIME_COST="1",  # registering the users is setup, not what is measured
        PARLEY_ARGON2_MEMORY_KIB="1024",
    )
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}/readyz", process)
    return process


async def query_latencies(client: httpx.AsyncClient, http: str, token: str, count: int) -> list[float]:
    body = {"query": VIEWER, "operationName": "Me"}
    headers = {"authorization": f"Bearer {token}"}
    for _ in range(20):  # warm up the connection and the caches
        (await client.post(http, json=body, headers=headers)).raise_for_status()
    out = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.post(http, json=body, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    return out


def summary(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    row = {"p50": statistics.median(ordered), "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)]}
    row["max"] = ordered[-1]
    print(f"{name:28} p50 {row['p50']:7.1f} ms  p99 {row['p99']:7.1f} ms  max {row['max']:7.1f} ms")
    return row


async def open_socket(url: str, token: str, address: str, subscriptions: int) -> Any:
    ws = await websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        max_queue=None,
        local_addr=(address, 0),  # type: ignore[list-item]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
    ack = json.loads(await ws.recv())
    assert ack["type"] == "connection_ack", ack
    for n in range(subscriptions):
        await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def closed_with(ws: Any) -> int | None:
    try:
        await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None
    return None


async def measure(sockets: int, subscriptions: int, queries: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < sockets + 200:
        print(f"warning: the file descriptor limit ({hard}) is below {sockets} sockets", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="parley-caps-"))
    port = free_port()
    server = start_parley(workdir, port, sockets, subscriptions)
    if len(os.sched_getaffinity(0)) >= 2:  # the server on core 1, this client on core 0
        os.sched_setaffinity(server.pid, {1})
        os.sched_setaffinity(0, {0})
    http, url = f"http://127.0.0.1:{port}/graphql", f"ws://127.0.0.1:{port}/graphql"
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            admin = await admin_with_bench_topic(client, http)
            users = -(-sockets // PER_USER)
            tokens = []
            for i in range(users):
                register = (
                    f'mutation {{ register(input: {{username: "caps{i}", password: "password-123"}}) '
                    "{ ... on RegisterSuccess { token } } }"
                )
                tokens.append((await graphql(client, http, register))["register"]["token"])
            before = summary("query, no socket open", await query_latencies(client, http, admin, queries))

            started = time.perf_counter()
            gate = asyncio.Semaphore(200)

            async def one(i: int) -> Any:
                async with gate:
                    address = f"127.0.0.{2 + i // PER_ADDRESS}"
                    return await open_socket(url, tokens[i // PER_USER], address, subscriptions)

            open_sockets = await asyncio.gather(*(one(i) for i in range(sockets)))
            opened = time.perf_counter() - started
            await asyncio.sleep(2)  # the last subscriptions start
            print(f"opened {sockets} sockets x {subscriptions} subscriptions in {opened:.1f} s")
            full = summary("query, every socket open", await query_latencies(client, http, admin, queries))

            extra = await websockets.connect(
                url, subprotocols=["graphql-transport-ws"], local_addr=("127.0.0.250", 0)
            )  # type: ignore[list-item]
            extra_code = await closed_with(extra)
            probe = open_sockets[0]
            await probe.send(json.dumps({"id": "over", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
            refused = json.loads(await asyncio.wait_for(probe.recv(), 10))
            over_code = refused.get("payload", [{}])[0].get("extensions", {}).get("code")
            print(f"one more socket: closed with {extra_code}; one more subscription: {over_code}")

            send = 'mutation { sendMessage(input: {topic: "/Bench", text: "hi"}) { __typename } }'
            arrivals: list[float] = []

            async def nexts(ws: Any) -> int:
                count = 0
                for _ in range(subscriptions):
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
                    if frame["type"] == "next":
                        arrivals.append((time.perf_counter() - sent) * 1000)
                        count += 1
                return count

            receivers = [asyncio.create_task(nexts(ws)) for ws in open_sockets]
            await asyncio.sleep(0.5)  # every receiver waiting in recv()
            sent = time.perf_counter()
            await graphql(client, http, send, admin)
            delivered = sum(await asyncio.gather(*receivers))
            print(f"one message reached {delivered} of {sockets * subscriptions} subscriptions")
            delivery = summary("send to receipt, every subscription", arrivals)
            await asyncio.gather(*(ws.close() for ws in open_sockets), return_exceptions=True)
            result = {
                "sockets": sockets,
                "subscriptions_per_socket": subscriptions,
                "before": before,
                "full": full,
                "extra_socket_close_code": extra_code,
                "extra_subscription_code": over_code,
                "delivered": delivered,
                "delivery": delivery,
            }
            print(json.dumps(result))
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=1, help="per socket (at most 5: 500 per user)")
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(measure(args.sockets, args.subscriptions, args.queries))


if __name__ == "__main__":
    main()
