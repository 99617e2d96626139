"""The server's RSS over rounds of live deliveries to the same subscribers.

Run: .venv/bin/python bench/rss_over_deliveries.py [--subscribers 1000] [--messages 100] [--rounds 10]
A real `parley serve` (SQLite file, production settings, as bench/fanout_latency.py starts it);
N anonymous graphql-transport-ws subscribers on `messageAdded(filter: {topic: "/Bench"})` stay
connected throughout. Each round the admin sends M messages over HTTP (four in flight) and the
round ends when every subscriber got every message (N x M deliveries). Reported: the server's
settled VmRSS before the first round and after each, and the growth per round. Python's own heap
is checked apart (tests/live/test_subscription_memory.py counts live objects per delivery).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as bench/rss_over_deliveries.py

from bench.fanout_latency import SUBSCRIBE, admin_with_bench_topic, free_port, start_parley  # noqa: E402
from bench.idle_memory import settled_rss  # noqa: E402

SEND = "mutation FanSend($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }"
SENDERS = 4


async def measure(subscribers: int, messages: int, rounds: int) -> list[int]:
    workdir = Path(tempfile.mkdtemp(prefix="parley-rss-"))
    port = free_port()
    server = start_parley(workdir, port)
    http = f"http://127.0.0.1:{port}/graphql"
    received = 0
    expected = 0
    all_in = asyncio.Event()

    async def read(ws: websockets.ClientConnection) -> None:
        nonlocal received
        async for _frame in ws:
            received += 1
            if received == expected:
                all_in.set()

    try:
        async with httpx.AsyncClient(timeout=30) as client:
            token = await admin_with_bench_topic(client, http)
            readers = []
            for _ in range(subscribers):
                ws = await websockets.connect(
                    f"ws://127.0.0.1:{port}/graphql",
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    max_queue=None,
                )
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                await ws.recv()
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
                readers.append(asyncio.create_task(read(ws)))
            await asyncio.sleep(2)  # every subscription live before the first message
            rss = [await settled_rss(server.pid)]
            sent = 0
            for _ in range(rounds):
                expected += subscribers * messages
                all_in.clear()
                last = sent + messages

                async def sender(last: int = last) -> None:
                    nonlocal sent
                    while sent < last:
                        n, sent = sent, sent + 1
                        variables = {"input": {"topic": "/Bench", "text": f"message {n}"}}
                        answer = await client.post(
                            http,
                            json={"query": SEND, "variables": variables},
                            headers={"authorization": f"Bearer {token}"},
                        )
                        assert "errors" not in answer.json(), answer.text

                await asyncio.gather(*(sender() for _ in range(SENDERS)))
                await asyncio.wait_for(all_in.wait(), 300)
                rss.append(await settled_rss(server.pid))
            for task in readers:
                task.cancel()
            return rss
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    rss = asyncio.run(measure(args.subscribers, args.messages, args.rounds))
    per_round = args.subscribers * args.messages
    print(f"{args.subscribers} subscribers, {per_round:,} deliveries a round")
    print(f"RSS before the first round: {rss[0] / 1024:.1f} MiB")
    for n, (before, after) in enumerate(zip(rss, rss[1:], strict=False), start=1):
        print(f"round {n}: {after / 1024:.1f} MiB ({(after - before) / 1024:+.2f} MiB)")


if __name__ == "__main__":
    main()
