"""One world per test module: the app, its client and the world are module-scoped and shared by
every parametrized case (the cases only read, or undo what they do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from app.core.settings import Settings
from app.main import create_app
from tests.authz.world import World, build_world
from tests.conftest import Api, make_settings


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("authz"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_api(module_settings: Settings) -> AsyncIterator[Api]:
    application: Any = create_app(module_settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as client:
            yield Api(client)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(module_api: Api) -> World:
    return await build_world(module_api)
