"""The browser's files come from Parley itself: pinned, hashed, cached; nothing from a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest

from app.web.routes import VENDOR, vendor_hashes
from tests.conftest import make_settings

pytestmark = pytest.mark.once


async def test_graphiql_and_the_client_reference_only_same_origin_files(tmp_path: Path) -> None:
    from app.main import create_app

    app = create_app(make_settings(tmp_path))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        ide = await c.get("/graphql", headers={"accept": "text/html"})
        client = await c.get("/")
        for page in (ide, client):
            assert page.status_code == 200
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), page.text[:500]
        assets = re.findall(r"""(?:src|href)="(/static/[^"]+)""", ide.text)
        assert len(assets) == 6, assets
        for url in assets:
            answer = await c.get(url)
            assert answer.status_code == 200, url
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        script = await c.get("/static/client/app.js")
        assert script.status_code == 200 and script.headers["cache-control"] == "no-cache"
        assert (await c.get("/static/routes.py")).status_code == 404


def test_vendored_files_match_their_manifest() -> None:
    hashes = vendor_hashes()
    assert len(hashes) == 7
    for name, digest in hashes.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


async def test_web_client_can_be_turned_off(tmp_path: Path) -> None:
    from app.main import create_app

    app = create_app(make_settings(tmp_path, web_client=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        answer = await c.get("/")
        assert answer.status_code == 307 and answer.headers["location"] == "/graphql"


def client_documents() -> dict[str, str]:
    """Every GraphQL document of the web client (queries.js, live.js), fragments filled in."""
    client = VENDOR.parent / "client"
    documents: dict[str, str] = {}
    fragments: dict[str, str] = {}
    for module in ("queries.js", "live.js"):
        source = (client / module).read_text()
        for name, text in re.findall(r"(?:export )?const (\w+) = [`\"](.*?)[`\"];", source, re.S):
            if name in ("MESSAGE_FIELDS", "ERROR"):
                fragments[name] = text
            else:
                documents[f"{module}:{name}"] = text
    return {
        name: text.replace("${MESSAGE_FIELDS}", fragments["MESSAGE_FIELDS"]).replace(
            "${ERROR}", fragments["ERROR"]
        )
        for name, text in documents.items()
    }


def test_the_client_documents_are_valid_against_the_schema() -> None:
    from graphql import build_schema, parse, validate

    schema = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())
    documents = client_documents()
    assert len(documents) == 23, sorted(documents)
    for name, text in documents.items():
        assert validate(schema, parse(text)) == [], name
