"""CORS on HTTP for PARLEY_ALLOWED_ORIGINS: browser apps on those origins may call /graphql."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.conftest import make_settings

ALLOWED = "https://app.example"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(tmp_path, allowed_origins=[ALLOWED, "https://other.example"]))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
            yield c


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_a_preflight_from_an_allowed_origin_is_answered(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 200, response.text
    headers = response.headers
    assert headers["access-control-allow-origin"] == ALLOWED
    assert {"GET", "POST"} <= {m.strip() for m in headers["access-control-allow-methods"].split(",")}
    allowed_headers = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers
    assert int(headers["access-control-max-age"]) > 0


async def test_a_disallowed_origin_gets_no_allow_origin(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight("https://evil.example"))
    assert "access-control-allow-origin" not in response.headers
    post = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in post.headers


async def test_a_post_from_an_allowed_origin_carries_the_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { id } }"}, headers={"origin": ALLOWED})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    assert response.json()["data"] == {"viewer": None}


async def test_without_allowed_origins_there_is_no_cors(api: Any) -> None:
    response = await api.client.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers
