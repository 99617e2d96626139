"""Every unknown path points to the API: HTML for a browser, JSON for everything else."""

from __future__ import annotations

from pathlib import Path

import httpx

from app.main import create_app
from tests.conftest import make_settings


async def get(tmp_path: Path, path: str, accept: str, **overrides: object) -> httpx.Response:
    app = create_app(make_settings(tmp_path, **overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as client:
            return await client.get(path, headers={"accept": accept})


async def test_a_browser_gets_a_page_linking_the_api_and_graphiql(tmp_path: Path) -> None:
    response = await get(tmp_path, "/nowhere", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<a href="/graphql">/graphql</a>' in response.text
    assert "GraphiQL is at /graphql" in response.text


async def test_other_clients_get_json_naming_the_api(tmp_path: Path) -> None:
    response = await get(tmp_path, "/api/v1/messages", "application/json")
    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND", "api": "/graphql"}
    assert error["message"].startswith("No such path: /api/v1/messages. The GraphQL API is at /graphql;")


async def test_in_production_the_page_says_graphiql_is_off(tmp_path: Path) -> None:
    response = await get(tmp_path, "/nowhere", "*/*", env="production")
    assert response.status_code == 404
    assert "GraphiQL is off" in response.json()["errors"][0]["message"]
