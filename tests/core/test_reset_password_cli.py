"""`parley user reset-password NAME`, through the real command line against a running app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.conftest import Api, make_settings
from tests.core.test_settings_and_cli import run_cli

VIEWER = "{ viewer { username } }"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Api, dict[str, str]]]:
    # no viewer cache, so the app sees the command's change on the next request
    settings = make_settings(tmp_path, auth_cache_seconds=0)
    env = {
        "PARLEY_DATABASE_URL": settings.database_url,
        "PARLEY_ARGON2_TIME_COST": "1",
        "PARLEY_ARGON2_MEMORY_KIB": "64",
    }
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as client:
            yield Api(client), env


async def sessions(api: Api, password: str) -> list[str]:
    return [(await api.login("grace", password))["token"] for _ in range(2)]


async def test_a_generated_password_is_printed_once_and_old_tokens_stop_working(
    world: tuple[Api, dict[str, str]],
) -> None:
    api, env = world
    await api.register("grace", "old-password-1")
    old = await sessions(api, "old-password-1")
    bob, _ = await api.register("bob")
    ran = run_cli("user", "reset-password", "grace", env=env)
    assert ran.returncode == 0, ran.stderr
    [password] = re.findall(r"New password for 'grace': (\S+)  \(shown once\)", ran.stdout)
    assert "revoked 3 token(s)" in ran.stdout  # the register token and two logins
    for token in old:
        assert (await api.raw(VIEWER, token=token)).status_code == 401
    assert (await api.run(VIEWER, token=bob))["viewer"]["username"] == "bob"  # others keep theirs
    assert (await api.login("grace", "old-password-1"))["__typename"] == "UnauthenticatedError"
    new = await api.login("grace", password)
    assert (await api.run(VIEWER, token=new["token"]))["viewer"]["username"] == "grace"


async def test_a_password_from_the_option_or_stdin(world: tuple[Api, dict[str, str]]) -> None:
    api, env = world
    await api.register("grace", "old-password-1")
    given = run_cli("user", "reset-password", "grace", "--password", "given-password-2", env=env)
    assert given.returncode == 0, given.stderr
    assert "New password" not in given.stdout
    assert (await api.login("grace", "given-password-2"))["__typename"] == "LoginSuccess"
    piped = run_cli("user", "reset-password", "grace", "--password", "-", env=env, input="piped-password-3\n")
    assert piped.returncode == 0, piped.stderr
    assert "revoked 1 token(s)" in piped.stdout
    assert (await api.login("grace", "piped-password-3"))["__typename"] == "LoginSuccess"


async def test_an_unknown_user_or_a_short_password_changes_nothing(world: tuple[Api, dict[str, str]]) -> None:
    api, env = world
    await api.register("grace", "old-password-1")
    unknown = run_cli("user", "reset-password", "nobody", env=env)
    assert (unknown.returncode, unknown.stderr) == (1, "parley: No user named 'nobody'.\n")
    short = run_cli("user", "reset-password", "grace", "--password", "x", env=env)
    assert short.returncode == 1 and "at least" in short.stderr
    assert (await api.login("grace", "old-password-1"))["__typename"] == "LoginSuccess"
