"""Shared fixtures: a real SQLite file per test, the app in-process or on a real uvicorn."""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.core.server import server_config
from app.core.settings import Settings, load_settings
from app.main import create_app

ADMIN_PASSWORD = "admin-password-1"
# PARLEY_TEST_BACKEND=postgres runs the suite on PostgreSQL (scripts/test does both); each test
# gets a fresh database in the cluster scripts/services started.
BACKEND = os.environ.get("PARLEY_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get(
    "PARLEY_TEST_POSTGRES_URL", "postgresql+asyncpg://parley@127.0.0.1:55432/postgres"
)


def _psql(sql: str) -> None:
    admin = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


def _migrate(url: str) -> None:
    """`parley migrate` in its own process (callers may be inside a running event loop)."""
    env = {**os.environ, "PARLEY_DATABASE_URL": url, "PARLEY_ENV": "test"}
    subprocess.run([sys.executable, "-m", "app", "migrate"], check=True, capture_output=True, env=env)


@functools.cache
def _template() -> str:
    """One migrated database per test session; every test starts from a copy of it."""
    if BACKEND == "postgres":
        name = "tpl_" + uuid.uuid4().hex[:16]
        _psql(f"CREATE DATABASE {name}")
        _migrate(POSTGRES_URL.rsplit("/", 1)[0] + "/" + name)
        atexit.register(_psql, f"DROP DATABASE IF EXISTS {name}")
        return name
    folder = Path(tempfile.mkdtemp(prefix="parley-template-"))
    atexit.register(shutil.rmtree, folder, True)
    _migrate(f"sqlite+aiosqlite:///{folder}/template.db")
    return str(folder / "template.db")


# Every database a test created, dropped after it (module-scoped ones when the session ends): a
# full PostgreSQL run creates over a thousand, about 8 MB each, enough to fill a CI machine's disk.
_created_databases: list[str] = []


def fresh_postgres_database(*, migrated: bool = True) -> str:
    name = "t_" + uuid.uuid4().hex[:16]
    _psql(f"CREATE DATABASE {name} TEMPLATE {_template()}" if migrated else f"CREATE DATABASE {name}")
    _created_databases.append(name)
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _drop_databases(names: list[str]) -> None:
    """Drop them in one psql call; FORCE ends a connection a stopped server may have left."""
    if names:
        admin = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
        commands = [arg for name in names for arg in ("-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")]
        subprocess.run(["psql", admin, "-q", *commands], check=True, capture_output=True)


@pytest.fixture(autouse=True)
def _drop_the_tests_databases() -> Iterator[None]:
    """Autouse, so set up before and torn down after the test's own fixtures (its servers)."""
    first = len(_created_databases)
    yield
    names = _created_databases[first:]
    del _created_databases[first:]
    _drop_databases(names)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _drop_databases(_created_databases)


def database_url(tmp_path: Path, *, migrated: bool = True) -> str:
    """A database of its own for one test: a copy of the migrated template, or empty."""
    if BACKEND == "postgres":
        return fresh_postgres_database(migrated=migrated)
    if migrated:
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(), tmp_path / "parley.db")
    return f"sqlite+aiosqlite:///{tmp_path}/parley.db"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url(tmp_path),
        "admin_password": ADMIN_PASSWORD,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "live_poll_seconds": 0.5,
        # tests send hundreds of messages as fast as they can; the rate limit has tests of its own
        "send_per_second": 0,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


class Api:
    """A GraphQL client over httpx for in-process tests."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The `data` of a response that must have no top-level errors."""
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> list[dict[str, Any]]:
        response = await self.raw(query, variables, token)
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]

    async def register(self, username: str, password: str = "password-123", **extra: Any) -> tuple[str, str]:
        """(token, user id)"""
        data = await self.run(
            """mutation($input: RegisterInput!) { register(input: $input) {
                 __typename ... on RegisterSuccess { token user { id } } ... on Error { code message } } }""",
            {"input": {"username": username, "password": password, **extra}},
        )
        result = data["register"]
        assert result["__typename"] == "RegisterSuccess", result
        return result["token"], result["user"]["id"]

    async def login(self, username: str, password: str) -> dict[str, Any]:
        data = await self.run(
            """mutation($input: LoginInput!) { login(input: $input) {
                 __typename ... on LoginSuccess { token expiresAt user { id username } }
                 ... on Error { code message } } }""",
            {"input": {"username": username, "password": password}},
        )
        return data["login"]


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: Any) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as client:
        yield Api(client)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn serving the app on 127.0.0.1 in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.app = create_app(settings)
        config = server_config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            ws_per_message_deflate=False,
        )
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked sqlite_only look inside the SQLite file; they are skipped on PostgreSQL runs."""
    if BACKEND != "postgres":
        return
    skip = pytest.mark.skip(reason="inspects the SQLite file directly")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)
