"""Parley side by side with a raw reference and a Node peer: see docs/benchmarks.md.

Seeds a SQLite database, counts SQL statements per request (Parley vs raw, in process), starts
Parley (`python -m app serve`), the raw reference (bench/raw_app.py) and the Node peer
(bench/node/peer.mjs) pinned to core 1, checks that the three give the same answers, then runs
interleaved rounds with the load generators pinned to core 0: every round runs the fan-out cases
(memory per idle subscription, 1,000 subscribers paced, bursts to 100 and to 1,000) on each server,
then each HTTP case (wrk -t1 -c32) on Parley, raw and Node in turn. Writes bench/results.json
and bench/results.md: medians, min-max, and ratios as medians of the per-round ratios.

Run it through bench/run, which checks the tools and installs the Node packages.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
NODE_DIR = BENCH / "node"
SERVER_CPU, LOAD_CPU = "1", "0"
TARGETS = ("parley", "raw", "node")
BURST_SENDERS = 4  # sends in flight during a burst

sys.path.insert(0, str(ROOT))
from bench.cases import CASES, FAN_SEND, FAN_SUBSCRIBE, shape  # noqa: E402


def log(message: str) -> None:
    print(f"[{datetime.now(UTC).strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def die(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


# ---- processes -------------------------------------------------------------------------------
class Processes:
    """Every process started; all are killed (their whole process group) at exit."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.started:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


PROCESSES = Processes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: str | None = None, token: str | None = None) -> tuple[int, str]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=body.encode() if body is not None else None, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_ready(name: str, url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            die(f"{name} exited with {process.returncode} at start:\n{log_path.read_text()[-3000:]}")
        try:
            if http("GET", url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    die(f"{name} did not answer {url} within 90 s:\n{log_path.read_text()[-3000:]}")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def core_jiffies(cpu: str) -> tuple[int, int]:
    """(busy, total) jiffies of one core since boot."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            values = [int(x) for x in line.split()[1:]]
            idle = values[3] + values[4]
            return sum(values) - idle, sum(values)
    raise RuntimeError(f"no cpu{cpu} in /proc/stat")


class CpuWatch:
    """How busy the server and its core were over a timed run: `server` is the server's CPU time
    over wall time (about 1.0 when it saturates its core), `others` the rest of that core's busy
    time (other processes on a shared machine; it should be near 0)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> CpuWatch:
        self.t0, self.p0, self.c0 = time.monotonic(), cpu_seconds(self.pid), core_jiffies(SERVER_CPU)
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.monotonic() - self.t0
        busy, total = (b - a for a, b in zip(self.c0, core_jiffies(SERVER_CPU), strict=True))
        self.server = (cpu_seconds(self.pid) - self.p0) / wall
        core = busy / total if total else 0.0
        self.others = max(0.0, core - self.server)


def wait_quiet(pid: int, limit: float = 30.0) -> float:
    """Wait (at most `limit` s) until the server uses under 5% of a core; the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.025:
            break
    return time.monotonic() - start


class Server:
    def __init__(self, name: str, port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.name, self.port, self.process, self.log_path = name, port, process, log_path
        self.base = f"http://127.0.0.1:{port}"

    def url(self, case_path: str) -> str:
        """Where a case goes: /graphql on Parley and Node, the case's own path on raw."""
        return self.base + (case_path if self.name == "raw" else "/graphql")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}" + ("/ws" if self.name == "raw" else "/graphql")

    @property
    def fan_send_url(self) -> str:
        return self.base + ("/fan-send" if self.name == "raw" else "/graphql")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            die(f"{self.name} died ({self.process.returncode}):\n{self.log_path.read_text()[-3000:]}")


def start_servers(workdir: Path, database: Path, python: str) -> dict[str, Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PARLEY_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        PARLEY_ADMIN_PASSWORD=secrets.token_urlsafe(18),
        PARLEY_ENV="production",
        PARLEY_LOG_LEVEL="WARNING",
        # the send case is one user sending as fast as wrk can: measure that, not the rate limit
        PARLEY_SEND_PER_SECOND="0",
        # the fan-out cases open 1,000 subscribers of one user from one address as fast as they
        # can: a load test, not what the per-user and per-address caps and the subscribe rate guard
        PARLEY_SUBSCRIBE_PER_SECOND="0",
        PARLEY_MAX_SOCKETS_PER_USER="100000",
        PARLEY_MAX_SUBSCRIPTIONS_PER_USER="100000",
        PARLEY_MAX_SOCKETS_PER_ADDRESS="100000",
        PARLEY_MAX_SUBSCRIPTIONS_PER_ADDRESS="100000",
    )
    commands = {
        "parley": lambda port: [python, "-m", "app", "serve", "--port", str(port)],
        "raw": lambda port: [python, "-m", "bench.raw_app", "--port", str(port)],
        "node": lambda port: ["node", str(NODE_DIR / "peer.mjs"), "--port", str(port), "--db", str(database)],
    }
    servers = {}
    for name in TARGETS:
        port = free_port()
        log_path = workdir / f"{name}.log"
        with log_path.open("wb") as out:
            process = PROCESSES.start(
                ["taskset", "-c", SERVER_CPU, *commands[name](port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        servers[name] = Server(name, port, process, log_path)
    for server in servers.values():
        wait_ready(server.name, server.base + "/readyz", server.process, server.log_path)
        log(f"{server.name} ready on port {server.port} (pid {server.process.pid}, cpu {SERVER_CPU})")
    return servers


# ---- correctness -----------------------------------------------------------------------------
def verify(servers: dict[str, Server], fixture: dict[str, Any]) -> dict[str, Any]:
    """Each case once on each server: 200, no errors, and the same data (reads) or shape (send)."""
    token = fixture["tokens"]["bench"]
    out = {}
    for case in CASES:
        answers = {}
        for name, server in servers.items():
            status, text = http("POST", server.url(case.raw_path), case.body(fixture), token)
            if status != 200 or '"errors"' in text:
                die(f"{case.key} on {name}: HTTP {status}: {text[:500]}")
            answers[name] = json.loads(text)["data"]  # Parley adds extensions.cost
        compare = (lambda a: a) if case.exact else shape
        same = {name: compare(answers[name]) == compare(answers["parley"]) for name in ("raw", "node")}
        for name, ok in same.items():
            if not ok:
                log(f"WARNING: {case.key}: {name} answers differently from Parley")
        out[case.key] = {"same_as_parley": same, "compared": "data" if case.exact else "shape"}
    return out


# ---- wrk -------------------------------------------------------------------------------------
LUA = """-- {title} on {target} (generated by bench/harness.py)
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  graphql_errors = 0
end
function response(status, headers, body)
  if body and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end
function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + (thread:get("graphql_errors") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{{"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"graphql_errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, errors,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def write_scripts(workdir: Path, servers: dict[str, Server], fixture: dict[str, Any]) -> dict[str, Path]:
    scripts = {}
    for case in CASES:
        for name in servers:
            path = workdir / f"{case.key}-{name}.lua"
            path.write_text(
                LUA.format(
                    title=case.title, target=name, body=case.body(fixture), token=fixture["tokens"]["bench"]
                )
            )
            scripts[f"{case.key}/{name}"] = path
    return scripts


def run_wrk(script: Path, server: Server, url: str, seconds: float, connections: int) -> dict[str, Any]:
    quiet = wait_quiet(server.process.pid)
    command = [
        "taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "-s", str(script), url,
    ]  # fmt: skip
    with CpuWatch(server.process.pid) as watch:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        die(f"wrk failed ({done.returncode}): {done.stdout[-1000:]} {done.stderr[-1000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith('{"requests"')]
    if not line:
        die(f"wrk printed no summary:\n{done.stdout[-2000:]}")
    result = json.loads(line[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["server_cpu"] = round(watch.server, 3)
    result["others_on_server_core"] = round(watch.others, 3)
    result["waited_for_quiet_s"] = round(quiet, 1)
    result["loadavg"] = os.getloadavg()[0]
    return result


# ---- fan-out ---------------------------------------------------------------------------------
def run_fanout(
    server: Server,
    fixture: dict[str, Any],
    *,
    subscribers: int,
    messages: int,
    interval_ms: float,
    measure_memory: bool,
    timeout_s: float,
    concurrency: int = 1,
    while_held: Any = None,
) -> dict[str, Any]:
    options = {
        "concurrency": concurrency,
        "wsUrl": server.ws_url,
        "sendUrl": server.fan_send_url,
        "token": fixture["tokens"]["admin"],
        "query": FAN_SUBSCRIBE,
        "sendQuery": FAN_SEND,
        "topic": fixture["fan_topic"],
        "subscribers": subscribers,
        "messages": messages,
        "intervalMs": interval_ms,
        "hold": measure_memory,
        "timeoutMs": int(timeout_s * 1000 / 2),
        "run": secrets.token_hex(4),
        # graphql-transport-ws acknowledges no `subscribe`: give each server time to register them
        # all (3 ms per subscriber, at least 1 s) before the memory reading and the first send
        "settleMs": max(1000, 3 * subscribers),
    }
    quiet = wait_quiet(server.process.pid)
    time.sleep(1.0)  # quiet before the first memory reading
    before = rss_kb(server.process.pid)
    watch = CpuWatch(server.process.pid).__enter__()
    client = PROCESSES.start(
        ["taskset", "-c", LOAD_CPU, "node", str(NODE_DIR / "fanout.mjs"), json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def kill_client() -> None:
        if client.poll() is None:
            os.killpg(client.pid, signal.SIGKILL)

    watchdog = threading.Timer(timeout_s, kill_client)
    watchdog.start()
    result: dict[str, Any] = {}
    memory = None
    try:
        assert client.stdout is not None and client.stdin is not None
        for raw in client.stdout:
            event = json.loads(raw)
            if event["event"] == "subscribed":
                time.sleep(1.0)  # let the server settle after the last subscription
                after = rss_kb(server.process.pid)
                memory = {
                    "rss_before_kb": before,
                    "rss_after_kb": after,
                    "subscriptions": event["subscribed"],
                    "kb_per_subscription": (after - before) / max(1, event["subscribed"]),
                }
                if while_held is not None:
                    memory["while_held"] = while_held()
                client.stdin.write(b"go\n")
                client.stdin.flush()
            elif event["event"] == "result":
                result = event
            elif event["event"] == "warning":
                log(f"WARNING: fan-out on {server.name}: {event['message']}")
        client.wait(30)
    finally:
        watchdog.cancel()
    if not result:
        stderr = client.stderr.read().decode()[-2000:] if client.stderr else ""
        die(f"fan-out client on {server.name} gave no result (killed after {timeout_s:.0f} s?): {stderr}")
    if result["deliveries"] < result["expected"]:
        log(f"WARNING: {server.name}: {result['deliveries']} of {result['expected']} deliveries arrived")
    watch.__exit__()
    result["server_cpu"] = round(watch.server, 3)
    result["others_on_server_core"] = round(watch.others, 3)
    result["waited_for_quiet_s"] = round(quiet, 1)
    if memory is not None:
        result["memory"] = memory
    server.check_alive()
    return result


# ---- the run ---------------------------------------------------------------------------------
def summarize(values: list[float]) -> dict[str, float | None]:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None}
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratio_summary(pairs: list[tuple[float | None, float | None]], invert: bool = False) -> dict[str, Any]:
    """Median of the per-round ratios a/b (b/a with invert: for latencies, higher is worse)."""
    ratios = []
    for a, b in pairs:
        if a and b:
            ratios.append(b / a if invert else a / b)
    return {"median": statistics.median(ratios) if ratios else None, "per_round": ratios}


def run_idle(
    servers: dict[str, Server],
    fixture: dict[str, Any],
    scripts: dict[str, Path],
    subscribers: int,
    duration: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """With `subscribers` idle subscriptions open on a server: wrk on message(id), then one message
    to every subscriber (its send-to-receipt p50/p99) and the memory they hold."""
    out = {}
    by_id = next(c for c in CASES if c.key == "by_id")
    for name, server in servers.items():
        log(f"idle: {subscribers:,} subscriptions on {name}")

        def query(server: Server = server, name: str = name) -> dict[str, Any]:
            return run_wrk(
                scripts[f"by_id/{name}"], server, server.url(by_id.raw_path), duration, args.connections
            )

        found = run_fanout(
            server,
            fixture,
            subscribers=subscribers,
            messages=1,
            interval_ms=50,
            measure_memory=True,
            timeout_s=600,
            while_held=query,
        )
        held = found["memory"].pop("while_held")
        out[name] = {"query": held, "delivery": found}
        log(
            f"  {name:6} message(id) {held['rps']:8.1f} req/s p99 {held['p99_ms']:8.1f} ms; one message to "
            f"all: p99 {found['p99'] or 0:8.1f} ms; {found['memory']['kb_per_subscription']:.1f} KB/sub"
        )
    return out


def per_target(rounds: dict[str, list[dict[str, Any]]], field: str) -> dict[str, Any]:
    return {n: summarize([x[field] for x in rounds[n]]) for n in TARGETS}


def paired(rounds: dict[str, list[dict[str, Any]]], field: str, other: str) -> dict[str, Any]:
    """Parley's `field` over `other`'s, round by round, then the median."""
    ours = [x[field] for x in rounds["parley"]]
    theirs = [x[field] for x in rounds[other]]
    return ratio_summary(list(zip(ours, theirs, strict=True)))


def summarize_http(rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "rounds": rounds,
        **{f: per_target(rounds, f) for f in ("rps", "p99_ms", "server_cpu", "others_on_server_core")},
        "parley_over_raw": paired(rounds, "rps", "raw"),
        "parley_over_node": paired(rounds, "rps", "node"),
    }


def summarize_burst(burst: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "rounds": burst,
        "rate": per_target(burst, "rate"),
        "parley_over_bare": paired(burst, "rate", "raw"),
        "parley_over_node": paired(burst, "rate", "node"),
    }


def summarize_fanout(
    paced: dict[str, list[dict[str, Any]]], burst: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    return {
        "burst": summarize_burst(burst),
        "paced": {
            "rounds": paced,
            "p50_ms": per_target(paced, "p50"),
            "p99_ms": per_target(paced, "p99"),
            "rate": per_target(paced, "rate"),
            "complete": {n: all(x["deliveries"] == x["expected"] for x in paced[n]) for n in TARGETS},
        },
        "memory_kb_per_subscription": {
            n: {
                "first_round": paced[n][0]["memory"]["kb_per_subscription"],
                **summarize([x["memory"]["kb_per_subscription"] for x in paced[n]]),
            }
            for n in TARGETS
        },
    }


def versions(python: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, sqlite3, sys, json;"
        "names=['strawberry-graphql','graphql-core','starlette','uvicorn','sqlalchemy','sqlmodel','aiosqlite',"
        "'uvloop','httptools','websockets'];"
        "out={n: m.version(n) for n in names};out['python']=sys.version.split()[0];"
        "out['sqlite (python)']=sqlite3.sqlite_version;print(json.dumps(out))"
    )
    found = json.loads(
        subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    found["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    for package in ("graphql", "graphql-ws", "ws", "better-sqlite3"):
        manifest = NODE_DIR / "node_modules" / package / "package.json"
        found[f"{package} (npm)"] = json.loads(manifest.read_text())["version"]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    found["wrk"] = (wrk.stdout + wrk.stderr).split("Copyright")[0].replace("wrk", "").strip()
    return found


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round, short durations")
    parser.add_argument("--large", action="store_true", help="1,000,000 topic messages instead of 100,000")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; 1 with --quick)")
    parser.add_argument(
        "--duration", type=float, help="seconds of wrk per case and server (10; 5 with --quick)"
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--messages", type=int, help="topic messages to seed (overrides --large)")
    parser.add_argument(
        "--subscribers",
        type=int,
        help="paced fan-out subscribers, also the memory case (1000; 500 with --quick)",
    )
    parser.add_argument(
        "--idle-subscribers",
        type=int,
        default=0,
        help="also time message(id) with wrk while N idle subscriptions are open, then one message "
        "to all of them (once per server, after the rounds; e.g. 10000)",
    )
    parser.add_argument("--db", type=Path, help="reuse this seeded database (with its .json fixture)")
    parser.add_argument("--out", type=Path, default=BENCH, help="where results.md/.json go (bench/)")
    parser.add_argument("--note", default="", help="a line for results.md (e.g. the machine was busy)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    args = parser.parse_args()

    quick = args.quick
    rounds = args.rounds or (1 if quick else 3)
    duration = args.duration or (5.0 if quick else 10.0)
    warmup = 1.0 if quick else 2.0
    topic_messages = args.messages or (1_000_000 if args.large else 100_000)
    paced_subscribers = args.subscribers or (500 if quick else 1000)
    paced_messages = 20 if quick else 40
    # 300, not 50: a burst of 50 (about 0.3 s) is bound by the load generator starting up, not
    # by the server (docs/benchmarks.md, the run of 08:00)
    burst_subscribers, burst_messages = 100, (20 if quick else 300)
    large_burst_messages = 10 if quick else 20
    python = sys.executable

    for tool in ("wrk", "taskset", "node"):
        if shutil.which(tool) is None:
            die(f"{tool} is missing (bench/run checks this and says how to install it)")
    if (os.cpu_count() or 1) < 2:
        die("at least 2 cores are needed: servers run on core 1, load generators on core 0")
    if not (NODE_DIR / "node_modules").is_dir():
        die("bench/node/node_modules is missing: run bench/run (it runs npm ci there)")

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    log(f"work directory {workdir}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": "smoke (--quick)" if quick else "full",
        "note": args.note,
        "machine": machine(),
        "versions": versions(python),
        "settings": {
            "rounds": rounds,
            "wrk_seconds": duration,
            "wrk_warmup_seconds": warmup,
            "wrk_connections": args.connections,
            "topic_messages": topic_messages,
            "paced_fanout": {"subscribers": paced_subscribers, "messages": paced_messages, "interval_ms": 50},
            "burst_fanout": {"subscribers": burst_subscribers, "messages": burst_messages},
            "burst_senders": BURST_SENDERS,
            "idle_subscribers": args.idle_subscribers,
            "large_burst_fanout": {"subscribers": paced_subscribers, "messages": large_burst_messages},
            "server_cpu": SERVER_CPU,
            "load_cpu": LOAD_CPU,
        },
    }
    try:
        if args.db:
            database = args.db
            fixture = json.loads(args.db.with_suffix(".json").read_text())
        else:
            from bench.seed import seed

            database = workdir / "parley.db"
            log(f"seeding {topic_messages:,} topic messages")
            fixture = seed(database, topic_messages)
            database.with_suffix(".json").write_text(json.dumps(fixture, indent=2))
        result["seed"] = {k: fixture[k] for k in ("seconds", "topic_messages", "tag_matches", "tags")}

        log("counting SQL statements per request (in process, not timed)")
        counted = subprocess.run(
            [python, "-m", "bench.statements", str(database), str(database.with_suffix(".json"))],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if counted.returncode != 0:
            die(f"statement count failed:\n{counted.stderr[-3000:]}")
        result["statements"] = json.loads(counted.stdout)

        servers = start_servers(workdir, database, python)
        result["verified"] = verify(servers, fixture)
        scripts = write_scripts(workdir, servers, fixture)

        http_rounds: dict[str, dict[str, list[dict[str, Any]]]] = {
            c.key: {n: [] for n in TARGETS} for c in CASES
        }
        fan_rounds: dict[str, dict[str, list[dict[str, Any]]]] = {
            "paced": {n: [] for n in TARGETS},
            "burst": {n: [] for n in TARGETS},
            "burst_large": {n: [] for n in TARGETS},
        }
        for r in range(rounds):
            log(f"round {r + 1} of {rounds}: fan-out")
            for name, server in servers.items():
                paced = run_fanout(
                    server,
                    fixture,
                    subscribers=paced_subscribers,
                    messages=paced_messages,
                    interval_ms=50,
                    measure_memory=True,
                    timeout_s=240,
                )
                fan_rounds["paced"][name].append(paced)
                burst = run_fanout(
                    server,
                    fixture,
                    subscribers=burst_subscribers,
                    messages=burst_messages,
                    interval_ms=0,
                    measure_memory=False,
                    timeout_s=180,
                    concurrency=BURST_SENDERS,
                )
                fan_rounds["burst"][name].append(burst)
                burst_large = run_fanout(
                    server,
                    fixture,
                    subscribers=paced_subscribers,
                    messages=large_burst_messages,
                    interval_ms=0,
                    measure_memory=False,
                    timeout_s=240,
                    concurrency=BURST_SENDERS,
                )
                fan_rounds["burst_large"][name].append(burst_large)
                log(
                    f"  {name:6} {paced_subscribers} subs paced p99 {paced['p99'] or 0:8.1f} ms, "
                    f"{paced['memory']['kb_per_subscription']:6.1f} KB/sub; burst to {burst_subscribers} "
                    f"{burst['rate']:8.0f} deliveries/s, to {paced_subscribers} {burst_large['rate']:8.0f}"
                )
            if r == 0:  # after the first fan-out, so memory is first read on fresh processes
                log(f"warm-up: {warmup:.0f} s of wrk per case and server")
                for case in CASES:
                    for name, server in servers.items():
                        run_wrk(
                            scripts[f"{case.key}/{name}"],
                            server,
                            server.url(case.raw_path),
                            warmup,
                            args.connections,
                        )
            for case in CASES:
                for name, server in servers.items():
                    run = run_wrk(
                        scripts[f"{case.key}/{name}"],
                        server,
                        server.url(case.raw_path),
                        duration,
                        args.connections,
                    )
                    server.check_alive()
                    if run["non2xx"] or run["socket_errors"] or run["graphql_errors"]:
                        log(f"WARNING: {case.key} on {name}: {run}")
                    http_rounds[case.key][name].append(run)
                    log(
                        f"  round {r + 1} {case.key:6} {name:6} {run['rps']:9.1f} req/s  "
                        f"p99 {run['p99_ms']:8.1f} ms  (server cpu {run['server_cpu']:.2f}, "
                        f"others on its core {run['others_on_server_core']:.2f})"
                    )

        if args.idle_subscribers:
            result["idle"] = run_idle(servers, fixture, scripts, args.idle_subscribers, duration, args)
        result["http"] = {
            case.key: {"title": case.title, **summarize_http(http_rounds[case.key])} for case in CASES
        }
        result["fanout"] = summarize_fanout(fan_rounds["paced"], fan_rounds["burst"])
        result["fanout"]["burst_large"] = summarize_burst(fan_rounds["burst_large"])
        result["machine"]["loadavg_at_end"] = os.getloadavg()
        result["seconds"] = round(time.monotonic() - started, 1)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
        from bench.report import markdown

        (args.out / "results.md").write_text(markdown(result))
        log(f"done in {result['seconds']:.0f} s: {args.out / 'results.md'}")
    finally:
        PROCESSES.stop_all()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
