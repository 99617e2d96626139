"""graphql-http's GraphQL-over-HTTP conformance audit (from the npm registry) against a live server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LiveServer

NODE_CLIENTS = Path(__file__).resolve().parents[2] / "clients" / "node"

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (NODE_CLIENTS / "node_modules" / "graphql-http").is_dir(),
        reason="clients/node not installed (scripts/bootstrap dev, or npm ci in clients/node)",
    ),
]


def run_audit(url: str) -> dict[str, object]:
    done = subprocess.run(
        ["node", "audit.mjs", url], cwd=NODE_CLIENTS, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_graphql_http_audit_finds_no_error_and_no_warning(live_server: LiveServer) -> None:
    result = run_audit(live_server.http_url)
    counts = result["counts"]
    failures = [f for f in result["failures"] if f["status"] in ("warn", "error")]  # type: ignore[attr-defined]
    listing = "\n".join(
        f"{f['status']}: {f['name']} ({f['reason']}; HTTP {f['httpStatus']})" for f in failures
    )
    assert counts["error"] == 0 and counts["warn"] == 0, f"{counts}\n{listing}"  # type: ignore[index]
    assert counts["ok"] > 0, counts  # type: ignore[index]
