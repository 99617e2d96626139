"""While the database is unreachable the API answers 503 with a JSON GraphQL error (UNAVAILABLE),
whether authentication or a resolver hits it first. The shared PostgreSQL is never touched: the
test starts its own throwaway cluster and kills it."""

from __future__ import annotations

import asyncio
import glob
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from app.main import create_app
from tests.conftest import Api, LiveServer, free_port, make_settings

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, str, str]]:
    """(database url, pg_ctl, data dir) of a throwaway cluster on a free port."""
    if not PG_BIN or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs Debian's PostgreSQL binaries and root (runuser -u postgres)")
    bin_dir = PG_BIN[-1]
    root = tempfile.mkdtemp(prefix="parley-pg-down-", dir="/tmp")
    data = os.path.join(root, "data")
    shutil.chown(root, "postgres")
    port = free_port()
    as_postgres(f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "parley")
    as_postgres(
        f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start",
    )  # fmt: skip
    try:
        yield f"postgresql+asyncpg://parley@127.0.0.1:{port}/postgres", f"{bin_dir}/pg_ctl", data
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


async def serve(settings: Any) -> AsyncIterator[tuple[Any, Api]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parley.test") as client,
    ):
        yield app, Api(client)


async def assert_unavailable(api: Api, query: str, token: str | None, request_id: str) -> None:
    headers = {"x-request-id": request_id}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await api.client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "requestId": request_id}, error
    assert request_id in error["message"] and "unavailable" in error["message"]
    assert response.headers["x-request-id"] == request_id


async def check_outage(api: Api, token: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    # authentication is the first to reach the database (get_context)
    await assert_unavailable(api, "{ viewer { username } }", token, "down-auth")
    # anonymous: a resolver is the first, in the middle of executing the request
    await assert_unavailable(api, "{ topics { totalCount } }", None, "down-query")
    await assert_unavailable(
        api, 'mutation { register(input: {username: "zoe", password: "password-123"}) { __typename } }',
        None, "down-mutation",
    )  # fmt: skip
    # an outage is not a bug: one WARNING per request, no traceback, no ERROR
    ours = [r for r in caplog.records if r.name.startswith("app.graphql")]
    assert ours and all(r.levelno == logging.WARNING and r.exc_info is None for r in ours), ours
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_postgres_down_answers_503_unavailable(
    own_postgres: tuple[str, str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, pg_ctl, data = own_postgres
    server = LiveServer(make_settings(tmp_path, database_url=url))  # a real uvicorn
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.http_url.removesuffix("/graphql")) as client:
            api = Api(client)
            token, _ = await api.register("alice")
            as_postgres(pg_ctl, "-D", data, "-m", "immediate", "stop")
            caplog.set_level(logging.INFO)
            await check_outage(api, token, caplog)
            # a websocket authenticating while the database is down: closed with 1013, no crash
            async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 10)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        server.stop()


@pytest.mark.sqlite_only
async def test_sqlite_file_gone_answers_503_unavailable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path}/data/parley.db")
    async for app, api in serve(settings):
        token, _ = await api.register("alice")
        await app.state.services.db.dispose()  # no open connection keeps the old file usable
        (tmp_path / "data").rename(tmp_path / "elsewhere")
        (tmp_path / "data").write_text("not a directory")  # SQLite cannot open .../data/parley.db
        caplog.set_level(logging.INFO)
        await check_outage(api, token, caplog)
