"""Live fan-out: how long a new message takes to reach N websocket subscribers.

Run: scripts/bench-fanout [--subscribers 500] [--messages 30]
A real `parley serve` (SQLite file) and N graphql-transport-ws clients, all anonymous, each
subscribed to `messageAdded(filter: {topic: "/Bench"})` on a public read-only topic. The admin
sends the messages one at a time over HTTP; each client notes when each arrives. The baseline,
in the same run with the same clients, is a bare Starlette websocket server that forwards each
posted payload to every socket: the cost of the sockets alone. Reported: latency from the send
to each delivery (p50 / p99 / max) and deliveries per second, and Parley's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-admin-password"
SUBSCRIBE = (
    'subscription { messageAdded(filter: {topic: "/Bench"}) { id text createdAt author { username } } }'
)

BASELINE_APP = """
import asyncio
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from starlette.responses import Response
sockets = set()
async def ws(websocket):
    await websocket.accept()
    sockets.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except Exception:
        sockets.discard(websocket)
async def send(request):
    body = (await request.body()).decode()
    await asyncio.gather(*(s.send_text(body) for s in list(sockets)), return_exceptions=True)
    return Response("ok")
app = Starlette(routes=[WebSocketRoute("/ws", ws), Route("/send", send, methods=["POST"])])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(f"server exited ({process.returncode})") from None
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_parley(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        PARLEY_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'fanout.db'}",
        PARLEY_ADMIN_PASSWORD=PASSWORD,
        PARLEY_LOG_LEVEL="WARNING",
        PARLEY_SEND_PER_SECOND="0",  # a burst from one user is what is measured
        # thousands of subscribers from one address, opened as fast as the client can: a load
        # test, not what the per-address caps and the subscribe rate are for
        PARLEY_SUBSCRIBE_PER_SECOND="0",
        PARLEY_MAX_SOCKETS_PER_ADDRESS="100000",
        PARLEY_MAX_SUBSCRIPTIONS_PER_ADDRESS="100000",
        PARLEY_ENV="production",
    )
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}/readyz", process)
    return process


def start_baseline(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    (workdir / "baseline_app.py").write_text(BASELINE_APP)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "baseline_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}/", process)
    return process


async def graphql(client: httpx.AsyncClient, url: str, query: str, token: str | None = None) -> dict:  # type: ignore[type-arg]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = (await client.post(url, json={"query": query}, headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]


async def subscriber(
    url: str, graphql_ws: bool, want: int, arrivals: list[float], ready: asyncio.Event
) -> None:
    protocols = ["graphql-transport-ws"] if graphql_ws else None
    async with websockets.connect(url, subprotocols=protocols, max_queue=None) as ws:  # type: ignore[arg-type]
        if graphql_ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        ready.set()
        for _ in range(want):
            await ws.recv()
            arrivals.append(time.perf_counter())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc): less sensitive than wall time to
    what else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_case(
    ws_url: str, graphql_ws: bool, subscribers: int, messages: int, send: object, pid: int
) -> tuple[list[float], float]:
    """(latency of every delivery in ms, seconds from first send to last delivery); prints the
    server's CPU time per delivery."""
    arrivals: list[list[float]] = [[] for _ in range(subscribers)]
    readies = [asyncio.Event() for _ in range(subscribers)]
    tasks = []
    for i in range(subscribers):
        tasks.append(asyncio.create_task(subscriber(ws_url, graphql_ws, messages, arrivals[i], readies[i])))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not stampede the accept queue
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    # graphql-transport-ws acknowledges no `subscribe`: give the server time to register them all
    # (3 ms per subscriber, at least 1 s; as bench/harness.py does)
    await asyncio.sleep(max(1.0, 0.003 * subscribers))
    sent, acked = [], []
    cpu_before, rss_before = cpu_seconds(pid), rss_kib(pid)
    for n in range(messages):
        sent.append(time.perf_counter())
        await send(n)  # type: ignore[operator]
        acked.append((time.perf_counter() - sent[-1]) * 1000)
        await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*tasks), 300)
    cpu_per_delivery = (cpu_seconds(pid) - cpu_before) / (subscribers * messages) * 1e6
    print(f"  the send itself (HTTP round trip): median {statistics.median(acked):.1f} ms")
    print(f"  server CPU per delivery: {cpu_per_delivery:.1f} µs")
    rss_after = rss_kib(pid)
    print(
        f"  server RSS before the sends {rss_before / 1024:.1f} MiB, after {subscribers * messages} "
        f"deliveries {rss_after / 1024:.1f} MiB ({(rss_after - rss_before) / 1024:+.1f} MiB)"
    )
    latencies = [(a[n] - sent[n]) * 1000 for a in arrivals for n in range(messages)]
    return latencies, max(max(a) for a in arrivals) - sent[0]


def summary(name: str, latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    row = {
        "p50": statistics.median(ordered),
        "p99": ordered[int(len(ordered) * 0.99) - 1],
        "max": ordered[-1],
        "rate": len(ordered) / seconds,
    }
    print(
        f"{name:10} p50 {row['p50']:8.1f} ms  p99 {row['p99']:8.1f} ms  max {row['max']:8.1f} ms  "
        f"{row['rate']:9.0f} deliveries/s"
    )
    return row


async def admin_with_bench_topic(client: httpx.AsyncClient, http: str) -> str:
    """Log in as admin and create the read-only topic /Bench; the admin's token."""
    login = (
        f'mutation {{ login(input: {{username: "admin", password: "{PASSWORD}"}}) '
        "{ ... on LoginSuccess { token } } }"
    )
    token: str = (await graphql(client, http, login))["login"]["token"]
    create = 'mutation { createTopic(input: {path: "/Bench", readOnly: true}) { __typename } }'
    await graphql(client, http, create, token)
    return token


async def measure(subscribers: int, messages: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="parley-fanout-"))
    parley_port, base_port = free_port(), free_port()
    parley = start_parley(workdir, parley_port)
    baseline = start_baseline(workdir, base_port)
    try:
        http = f"http://127.0.0.1:{parley_port}/graphql"
        async with httpx.AsyncClient(timeout=30) as client:
            token = await admin_with_bench_topic(client, http)

            async def send_parley(n: int) -> None:
                query = (
                    f'mutation {{ sendMessage(input: {{topic: "/Bench", text: "message {n}"}}) '
                    "{ __typename } }"
                )
                await graphql(client, http, query, token)

            async def send_baseline(n: int) -> None:
                added = {"id": str(n), "text": f"message {n}", "createdAt": "2026-11-22T00:00:00+00:00"}
                added["author"] = {"username": "admin"}
                payload = json.dumps(
                    {"type": "next", "id": "1", "payload": {"data": {"messageAdded": added}}}
                )
                await client.post(f"http://127.0.0.1:{base_port}/send", content=payload)

            print(f"{subscribers} subscribers, {messages} messages, one at a time (50 ms apart)")
            base = summary(
                "baseline",
                *await run_case(
                    f"ws://127.0.0.1:{base_port}/ws",
                    False,
                    subscribers,
                    messages,
                    send_baseline,
                    baseline.pid,
                ),
            )
            ours = summary(
                "parley",
                *await run_case(
                    f"ws://127.0.0.1:{parley_port}/graphql",
                    True,
                    subscribers,
                    messages,
                    send_parley,
                    parley.pid,
                ),
            )
            ratios = (ours["p50"] / base["p50"], ours["p99"] / base["p99"], ours["rate"] / base["rate"])
            print("parley / baseline: p50 {:.1f}x, p99 {:.1f}x, deliveries/s {:.2f}x".format(*ratios))
    finally:
        for process in (parley, baseline):
            process.terminate()
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--messages", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(measure(args.subscribers, args.messages))


if __name__ == "__main__":
    main()
