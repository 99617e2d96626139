"""bench/results.md from the result dictionary bench/harness.py builds (also bench/results.json).

Re-render a kept results.json: python -m bench.report bench/results.json > bench/results.md
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

TARGETS = ("parley", "raw", "node")


def num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def spread(summary: dict[str, Any], digits: int = 0) -> str:
    """median (min-max)"""
    if summary.get("median") is None:
        return "n/a"
    if summary["min"] == summary["max"]:
        return num(summary["median"], digits)
    return f"{num(summary['median'], digits)} ({num(summary['min'], digits)}-{num(summary['max'], digits)})"


def ratio(summary: dict[str, Any]) -> str:
    return num(summary.get("median"), 3) if summary.get("median") is not None else "n/a"


def _median(values: list[float]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def markdown(r: dict[str, Any]) -> str:
    m, s, v = r["machine"], r["settings"], r["versions"]
    smoke = r["kind"].startswith("smoke")
    lines = [
        "# Parley benchmark results",
        "",
        f"Run {r['date']} by `bench/run{' --quick' if smoke else ''}` "
        f"({r['kind']} run, {r['seconds']:.0f} s). How to run and what each case does: "
        "[docs/benchmarks.md](../docs/benchmarks.md).",
        "",
    ]
    if smoke:
        lines += [
            "> **Smoke run** (`--quick`: one round, short durations): it proves the harness works end "
            "to end; its numbers are not a measurement. Run `bench/run` (three rounds) for figures.",
            "",
        ]
    if r.get("note"):
        lines += [f"> {r['note']}", ""]
    load = ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
    load_end = ", ".join(f"{x:.2f}" for x in m.get("loadavg_at_end", []))
    lines += [
        "## Machine and versions",
        "",
        f"- {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB, Linux {m['kernel']}; "
        f"load average at start {load}, at end {load_end}",
        f"- servers pinned to core {s['server_cpu']} (`taskset -c {s['server_cpu']}`), wrk and the "
        f"websocket client to core {s['load_cpu']}",
        "- " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- {s['rounds']} interleaved round(s); wrk `-t1 -c{s['wrk_connections']}` "
        f"for {s['wrk_seconds']:.0f} s "
        f"per case and server (after a {s['wrk_warmup_seconds']:.0f} s warm-up each); "
        f"{s['topic_messages']:,} topic messages (seeded in {r['seed']['seconds']:.0f} s; "
        f"tags {r['seed']['tags']} match {r['seed']['tag_matches']:,})",
        "",
        "## Requests (requests/s: median over rounds, min-max in brackets)",
        "",
        "Ratios are medians of the per-round ratios (Parley's requests/s over the other's, in the "
        "same round).",
        "",
        "The last two columns say whether the figures mean anything: *server CPU* is the server's "
        "CPU time over the run's wall time (near 1.00 when it saturates its core, as it should "
        "under `-c32`), *others* is the share of the server's core other processes took meanwhile "
        "(near 0.00 on an idle machine).",
        "",
        "| case | Parley | raw | Node | Parley/raw | Parley/Node | p99 ms Parley / raw / Node "
        "| server CPU Parley / raw / Node | others on its core |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in r["http"].values():
        p99 = " / ".join(num(c["p99_ms"][n]["median"], 1) for n in TARGETS)
        cpu = " / ".join(num(c["server_cpu"][n]["median"], 2) for n in TARGETS)
        others = " / ".join(num(c["others_on_server_core"][n]["median"], 2) for n in TARGETS)
        lines.append(
            f"| {c['title']} | {spread(c['rps']['parley'])} | {spread(c['rps']['raw'])} | "
            f"{spread(c['rps']['node'])} | {ratio(c['parley_over_raw'])} | "
            f"{ratio(c['parley_over_node'])} | {p99} "
            f"| {cpu} | {others} |"
        )
    errors = [
        f"{key} on {n}: {x['non2xx']} non-2xx, {x['socket_errors']} socket errors, {x['graphql_errors']} "
        "GraphQL errors"
        for key, c in r["http"].items()
        for n in TARGETS
        for x in c["rounds"][n]
        if x["non2xx"] or x["socket_errors"] or x["graphql_errors"]
    ]
    lines += ["", "Errors during the timed runs: " + ("; ".join(errors) if errors else "none."), ""]
    f = r["fanout"]
    b, p, mem = f["burst"], f["paced"], f["memory_kb_per_subscription"]
    bs, ps = s["burst_fanout"], s["paced_fanout"]
    senders = f", {s['burst_senders']} sends in flight" if s.get("burst_senders", 1) > 1 else " back to back"
    lines += [
        "## Live fan-out",
        "",
        'Subscribers are anonymous graphql-transport-ws sockets on `messageAdded(filter: {topic: "/Fan"})` '
        "(a read-only topic); the admin sends over HTTP. *Bare* is the raw reference's websocket "
        "endpoint (same uvicorn websocket settings as Parley, no GraphQL, no database write).",
        "",
        "| case | Parley | bare websockets | Node | Parley/bare | Parley/Node |",
        "|---|---:|---:|---:|---:|---:|",
        f"| burst: {bs['subscribers']} subscribers, {bs['messages']} messages{senders}, deliveries/s | "
        f"{spread(b['rate']['parley'])} | {spread(b['rate']['raw'])} | {spread(b['rate']['node'])} | "
        f"{ratio(b['parley_over_bare'])} | {ratio(b['parley_over_node'])} |",
    ]
    if "burst_large" in f:
        bl, bls = f["burst_large"], s["large_burst_fanout"]
        lines.append(
            f"| burst: {bls['subscribers']:,} subscribers, {bls['messages']} messages{senders}, "
            f"deliveries/s | {spread(bl['rate']['parley'])} | {spread(bl['rate']['raw'])} | "
            f"{spread(bl['rate']['node'])} | {ratio(bl['parley_over_bare'])} | "
            f"{ratio(bl['parley_over_node'])} |"
        )
    lines += [
        f"| {ps['subscribers']:,} subscribers, one message per {ps['interval_ms']} ms "
        f"({ps['messages']}), p50 ms | " + " | ".join(spread(p["p50_ms"][n], 1) for n in TARGETS) + " | | |",
        f"| same, p99 ms send-to-receipt | {spread(p['p99_ms']['parley'], 1)} | "
        f"{spread(p['p99_ms']['raw'], 1)} | "
        f"{spread(p['p99_ms']['node'], 1)} | | |",
        f"| same, deliveries/s | {spread(p['rate']['parley'])} | {spread(p['rate']['raw'])} | "
        f"{spread(p['rate']['node'])} | | |",
        f"| memory per idle subscription, KB (RSS delta / {ps['subscribers']:,}; "
        f"first round on a fresh process) | {num(mem['parley']['first_round'], 1)} | "
        f"{num(mem['raw']['first_round'], 1)} | "
        f"{num(mem['node']['first_round'], 1)} | | |",
        "",
        "While the paced case ran, the servers used "
        + " / ".join(num(_median([x["server_cpu"] for x in p["rounds"][n]]), 2) for n in TARGETS)
        + " of their core (Parley / bare / Node) and other processes "
        + " / ".join(num(_median([x["others_on_server_core"] for x in p["rounds"][n]]), 2) for n in TARGETS)
        + " of it. Every paced delivery arrived: "
        + ", ".join(f"{n} {'yes' if p['complete'][n] else 'NO'}" for n in TARGETS)
        + ". Later rounds' memory figures (in results.json) reuse memory the process freed before, "
        "so the first round's is the one to compare.",
        "",
    ]
    if r.get("idle"):
        idle = r["idle"]
        lines += [
            f"## With {s['idle_subscribers']:,} idle subscriptions open",
            "",
            "`--idle-subscribers`: that many subscribers connect and stay idle while wrk times "
            "`message(id)` (on raw: its `/by-id`, with the sockets on its bare websocket endpoint); "
            "then one message goes to all of them. One run per server, after the rounds, so the "
            "memory figure reuses memory freed before (the fan-out section's is the one to compare).",
            "",
            "| | Parley | raw / bare websockets | Node |",
            "|---|---:|---:|---:|",
            "| `message(id)` requests/s | "
            + " | ".join(num(idle[n]["query"]["rps"]) for n in TARGETS)
            + " |",
            "| `message(id)` p99 ms | "
            + " | ".join(num(idle[n]["query"]["p99_ms"], 1) for n in TARGETS)
            + " |",
            "| one message to all, p50 ms | "
            + " | ".join(num(idle[n]["delivery"]["p50"], 1) for n in TARGETS)
            + " |",
            "| one message to all, p99 ms | "
            + " | ".join(num(idle[n]["delivery"]["p99"], 1) for n in TARGETS)
            + " |",
            "| deliveries arrived | "
            + " | ".join(
                f"{idle[n]['delivery']['deliveries']:,} of {idle[n]['delivery']['expected']:,}"
                for n in TARGETS
            )
            + " |",
            "| memory per idle subscription, KB | "
            + " | ".join(num(idle[n]["delivery"]["memory"]["kb_per_subscription"], 1) for n in TARGETS)
            + " |",
            "",
        ]
    lines += [
        "## SQL statements per request (counted in process, not timed)",
        "",
        "Data statements (BEGIN/COMMIT/PRAGMA not counted) and connections checked out of the pool "
        "(one per session or unit of work), for one request and the 0.3 s after it "
        "(after-commit work counts).",
        "",
        "| case | Parley statements | raw statements | Parley connections | raw connections |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, c in r["http"].items():
        ours, theirs = r["statements"]["parley"][key], r["statements"]["raw"][key]
        lines.append(
            f"| {c['title']} | {ours['statements']} | {theirs['statements']} | "
            f"{ours['connections']} | {theirs['connections']} |"
        )
    same = [
        f"{key}: raw {'same' if x['same_as_parley']['raw'] else 'DIFFERENT'}, node "
        f"{'same' if x['same_as_parley']['node'] else 'DIFFERENT'} ({x['compared']})"
        for key, x in r["verified"].items()
    ]
    lines += [
        "",
        "## Same answers",
        "",
        "Before timing, each case ran once on each server and was compared with Parley's answer "
        "(the data of the reads, the shape of the send): " + "; ".join(same) + ".",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    with open(sys.argv[1]) as source:
        print(markdown(json.load(source)), end="")
