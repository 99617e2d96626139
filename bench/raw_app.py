# SQLModel types columns as their Python values, so SQL built from them does not type-check
# (as for app.store in pyproject.toml).
# mypy: disable-error-code="call-overload,union-attr,attr-defined"
"""The raw reference: the work of each benchmark case without GraphQL.

Plain Starlette on the same SQLAlchemy async engine and SQLite settings as Parley
(`app.core.db.Database` built from the same `PARLEY_*` settings, so the same pragmas and BEGIN
handling), the same bearer-token lookup (SHA-256 of the token, unexpired, with the user's
rights and groups), the same access rules (`app.filters.readable_messages_clause`, the SQL
form of Parley's read check; conversation membership), the same rows and the same JSON as
Parley's GraphQL answer (`{"data": ...}`, global ids, ISO dates). `sendMessage` runs Parley's
own `do_send_message` in a write unit of work, so the rows written are Parley's.

Endpoints take the very body a GraphQL client posts (`{"query", "variables"}`; the query is
ignored), so one wrk script serves Parley, this and the Node peer:
  POST /by-id   message(id) with author
  POST /send    sendMessage to a conversation
  POST /page    conversation(id).messages(first: 50) with authors and reactions
  POST /tags    messages(filter: {tags}, first: 20) with authors
and, for the fan-out cases, bare websockets with the same uvicorn websocket settings as Parley:
  WS   /ws         speaks just enough graphql-transport-ws (ack, subscribe) to be a drop-in
  POST /fan-send   sends one `next` frame with the posted message to every subscribed socket

Run: PARLEY_DATABASE_URL=sqlite+aiosqlite:///path python -m bench.raw_app --port N
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.core.auth import Viewer, bearer_token
from app.core.db import Database
from app.core.settings import load_settings
from app.domain.global_ids import parse_global_id, to_global_id
from app.filters import readable_messages_clause
from app.models import Message, User

FMT = "%Y-%m-%d %H:%M:%S.%f"

TOKEN_SQL = text(
    "SELECT u.id, u.username, u.locale, "
    "(SELECT group_concat(r.right, char(31)) FROM user_rights r WHERE r.user_id = u.id), "
    "(SELECT group_concat(g.group_id) FROM group_members g WHERE g.user_id = u.id) "
    "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = :h AND t.expires_at > :now"
)
MEMBER_SQL = text("SELECT 1 FROM conversation_participants WHERE conversation_id = :c AND user_id = :u")
PAGE_SQL = text(
    "SELECT m.id, m.text, m.created_at, u.username FROM messages m JOIN users u ON u.id = m.author_id "
    "WHERE m.conversation_id = :c ORDER BY m.id DESC LIMIT :n"
)


def iso(value: Any) -> str:
    """Parley's DateTime: aware UTC datetime.isoformat() (SQLite stores naive UTC text)."""
    if isinstance(value, str):
        value = datetime.strptime(value, FMT) if "." in value else datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat())


def unauthorized() -> Response:
    return JSONResponse({"detail": "Invalid or expired token."}, status_code=401)


def build_app(db: Database) -> Starlette:
    engine = db.engine

    async def viewer_of(request: Request) -> Viewer | None | Response:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return None
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        now = datetime.now(UTC).replace(tzinfo=None).strftime(FMT)
        async with engine.connect() as conn:
            row = (await conn.execute(TOKEN_SQL, {"h": token_hash, "now": now})).first()
        if row is None:
            return unauthorized()
        return Viewer(
            user_id=row[0],
            username=row[1],
            locale=row[2],
            rights=frozenset(row[3].split("\x1f")) if row[3] else frozenset(),
            group_ids=frozenset(int(g) for g in row[4].split(",")) if row[4] else frozenset(),
            token_hash=token_hash,
        )

    async def body(request: Request) -> dict[str, Any]:
        return dict((json.loads(await request.body()) or {}).get("variables") or {})

    def pk(value: Any, type_name: str) -> int | None:
        parsed = parse_global_id(value) if isinstance(value, str) else None
        return parsed[1] if parsed and parsed[0] == type_name else None

    async def by_id(request: Request) -> Response:
        viewer = await viewer_of(request)
        if isinstance(viewer, Response):
            return viewer
        variables = await body(request)
        message_id = pk(variables.get("id"), "Message")
        found = None
        if message_id is not None:
            stmt = (
                select(Message.id, Message.text, Message.created_at, User.username)
                .join(User, User.id == Message.author_id)
                .where(Message.id == message_id, readable_messages_clause(viewer))
            )
            async with engine.connect() as conn:
                row = (await conn.execute(stmt)).first()
            if row is not None:
                found = {
                    "id": to_global_id("Message", row[0]),
                    "text": row[1],
                    "createdAt": iso(row[2]),
                    "author": {"username": row[3]},
                }
        return JSONResponse({"data": {"message": found}})

    async def page(request: Request) -> Response:
        viewer = await viewer_of(request)
        if isinstance(viewer, Response):
            return viewer
        variables = await body(request)
        conversation_id = pk(variables.get("id"), "Conversation")
        first = min(int(variables.get("first") or 50), 100)
        if viewer is None or conversation_id is None:
            return JSONResponse({"data": {"conversation": None}})
        async with engine.connect() as conn:
            member = (await conn.execute(MEMBER_SQL, {"c": conversation_id, "u": viewer.user_id})).first()
            if member is None:
                return JSONResponse({"data": {"conversation": None}})
            rows = (await conn.execute(PAGE_SQL, {"c": conversation_id, "n": first + 1})).all()
            more = len(rows) > first
            rows = rows[:first]
            ids = [r[0] for r in rows]
            marks = ", ".join(f":i{n}" for n in range(len(ids))) or "NULL"
            reactions = (
                await conn.execute(
                    text(
                        "SELECT r.message_id, r.content, u.username FROM reactions r "
                        f"JOIN users u ON u.id = r.user_id WHERE r.message_id IN ({marks}) "
                        "ORDER BY r.created_at, r.user_id"
                    ),
                    {f"i{n}": i for n, i in enumerate(ids)},
                )
            ).all()
        groups: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
        for message_id, content, username in reactions:
            groups[message_id].setdefault(content, []).append(username)
        edges = [
            {
                "node": {
                    "id": to_global_id("Message", r[0]),
                    "text": r[1],
                    "createdAt": iso(r[2]),
                    "author": {"username": r[3]},
                    "reactions": [
                        {"content": c, "count": len(us), "users": [{"username": u} for u in us]}
                        for c, us in groups[r[0]].items()
                    ],
                }
            }
            for r in rows
        ]
        return JSONResponse(
            {"data": {"conversation": {"messages": {"edges": edges, "pageInfo": {"hasNextPage": more}}}}}
        )

    async def tags(request: Request) -> Response:
        viewer = await viewer_of(request)
        if isinstance(viewer, Response):
            return viewer
        variables = await body(request)
        wanted = [str(t).lower().lstrip("#") for t in variables.get("tags") or []]
        first = min(int(variables.get("first") or 20), 100)
        from app.models import MessageTag

        stmt = (
            select(Message.id, Message.text, Message.created_at, User.username)
            .join(User, User.id == Message.author_id)
            .where(
                Message.id.in_(select(MessageTag.message_id).where(MessageTag.tag.in_(wanted))),
                readable_messages_clause(viewer),
            )
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(first + 1)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        more = len(rows) > first
        edges = [
            {
                "node": {
                    "id": to_global_id("Message", r[0]),
                    "text": r[1],
                    "createdAt": iso(r[2]),
                    "author": {"username": r[3]},
                }
            }
            for r in rows[:first]
        ]
        return JSONResponse({"data": {"messages": {"edges": edges, "pageInfo": {"hasNextPage": more}}}})

    async def send(request: Request) -> Response:
        from app.actions.messages.send import MessageDraft, do_send_message

        viewer = await viewer_of(request)
        if isinstance(viewer, Response):
            return viewer
        data = (await body(request)).get("input") or {}
        conversation_id = pk(data.get("conversation"), "Conversation")
        if viewer is None or conversation_id is None:
            return JSONResponse({"errors": [{"message": "bench: conversation sends only"}]})
        row = await db.write_retrying(
            lambda uow: do_send_message(
                uow,
                db.settings,
                viewer,
                MessageDraft(destination=conversation_id, text=str(data.get("text", ""))),
            )
        )
        assert row.id is not None
        return JSONResponse(
            {
                "data": {
                    "sendMessage": {
                        "__typename": "Message",
                        "id": to_global_id("Message", row.id),
                        "text": row.text,
                        "createdAt": iso(row.created_at),
                        "author": {"username": viewer.username},
                    }
                }
            }
        )

    # bare websockets: the cost of the sockets alone
    sockets: dict[WebSocket, str] = {}
    sent = 0

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="graphql-transport-ws")
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "connection_init":
                    await websocket.send_text('{"type":"connection_ack"}')
                elif frame.get("type") == "subscribe":
                    sockets[websocket] = str(frame.get("id"))
                elif frame.get("type") == "ping":
                    await websocket.send_text('{"type":"pong"}')
                elif frame.get("type") == "complete":
                    sockets.pop(websocket, None)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            sockets.pop(websocket, None)

    async def fan_send(request: Request) -> Response:
        nonlocal sent
        data = (await body(request)).get("input") or {}
        sent += 1
        added = {
            "id": to_global_id("Message", sent),
            "text": str(data.get("text", "")),
            "createdAt": datetime.now(UTC).isoformat(),
            "author": {"username": "admin"},
        }
        frames: dict[str, str] = {}  # one serialization per subscription id (all clients use "1")
        targets = []
        for socket, sub_id in list(sockets.items()):
            frame = frames.get(sub_id)
            if frame is None:
                frame = frames[sub_id] = json.dumps(
                    {"id": sub_id, "type": "next", "payload": {"data": {"messageAdded": added}}}
                )
            targets.append(socket.send_text(frame))
        await asyncio.gather(*targets, return_exceptions=True)
        return JSONResponse({"data": {"sendMessage": {"__typename": "Message"}}})

    async def readyz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/by-id", by_id, methods=["POST"]),
            Route("/send", send, methods=["POST"]),
            Route("/page", page, methods=["POST"]),
            Route("/tags", tags, methods=["POST"]),
            Route("/fan-send", fan_send, methods=["POST"]),
            WebSocketRoute("/ws", ws),
            Route("/readyz", readyz),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings()
    db = Database(settings)
    app = build_app(db)
    # the websocket and logging settings `parley serve` uses (app/cli.py)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        ws_per_message_deflate=settings.ws_per_message_deflate,
        log_level=settings.log_level.lower(),
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
