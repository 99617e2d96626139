"""SQL statements and connection checkouts per request, Parley vs the raw reference (not timed).

Both apps run in this process over ASGI (httpx.ASGITransport) on the seeded database, each with
SQLAlchemy event listeners on its engine: `before_cursor_execute` counts statements (split into
data statements and transaction control: BEGIN, COMMIT, ROLLBACK, PRAGMA), the pool's `checkout`
counts connections taken (one per session or unit of work). Each case is sent once to warm up,
then counted over one request and the 0.3 s after it, so after-commit work (the live hub
re-reading events) counts too.

Run: python -m bench.statements DB FIXTURE  (bench/run does this once, before the timed rounds)
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.cases import CASES

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


class Counter:
    def __init__(self, engine: Any) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []
        self.checkouts = 0

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def _checkout(self, *args: Any) -> None:
        self.checkouts += 1

    def __enter__(self) -> Counter:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine.pool, "checkout", self._checkout)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine.pool, "checkout", self._checkout)

    def result(self) -> dict[str, Any]:
        data = [s for s in self.statements if not s.lstrip().upper().startswith(CONTROL)]
        return {
            "statements": len(data),
            "control": len(self.statements) - len(data),
            "connections": self.checkouts,
            "sql": [" ".join(s.split())[:160] for s in data],
        }


async def count(app: Any, engine: Any, path_of: Any, fixture: dict[str, Any]) -> dict[str, Any]:
    token = fixture["tokens"]["bench"]
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    out = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for case in CASES:
            body = case.body(fixture)
            warm = await client.post(path_of(case), content=body, headers=headers)
            assert warm.status_code == 200 and "errors" not in warm.json(), warm.text
            await asyncio.sleep(0.3)
            with Counter(engine) as counter:
                await client.post(path_of(case), content=body, headers=headers)
                await asyncio.sleep(0.3)
            out[case.key] = counter.result()
    return out


async def measure(database: Path, fixture: dict[str, Any]) -> dict[str, Any]:
    from app.core.db import Database
    from app.core.settings import load_settings
    from app.main import create_app
    from bench.raw_app import build_app

    url = f"sqlite+aiosqlite:///{database}"
    settings = load_settings(database_url=url, env="production", log_level="WARNING", live_poll_seconds=3600)
    parley = create_app(settings)
    async with parley.router.lifespan_context(parley):
        ours = await count(parley, parley.state.services.db.engine, lambda case: "/graphql", fixture)
    db = Database(load_settings(database_url=url))
    raw = build_app(db)
    try:
        theirs = await count(raw, db.engine, lambda case: case.raw_path, fixture)
    finally:
        await db.dispose()
    return {"parley": ours, "raw": theirs}


def main() -> None:
    database, fixture_path = Path(sys.argv[1]), Path(sys.argv[2])
    result = asyncio.run(measure(database, json.loads(fixture_path.read_text())))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
