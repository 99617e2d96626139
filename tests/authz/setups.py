"""What a mutation case works on: something made for it by a user who may, so that the shared
world stays as it was built. Each takes the api, the world and the role about to act, and
returns variables for the case (`_token`: act with this token instead of the role's)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.world import USERNAMES, World, ok, publish_announcement
from tests.conftest import ADMIN_PASSWORD, Api

serial = itertools.count()


async def nothing(api: Api, world: World, role: str) -> dict[str, Any]:
    return {}


async def fresh_secret_message(api: Api, world: World, role: str) -> dict[str, Any]:
    """A new message by the writer in /Secret, for a case that edits, moves or deletes it."""
    sent = await ok(
        api,
        world.tokens["writer"],
        """mutation($x: String!) { sendMessage(input: {topic: "/Secret", text: $x}) {
          ... on Message { id } ... on Error { code message } } }""",
        {"x": f"to be changed {next(serial)} #fresh"},
    )
    return {"m": sent["id"]}


async def fresh_chat_message(api: Api, world: World, role: str) -> dict[str, Any]:
    """A new message by the writer in the conversation."""
    sent = await ok(
        api,
        world.tokens["writer"],
        """mutation($c: ID!, $x: String!) { sendMessage(input: {conversation: $c, text: $x}) {
          ... on Message { id } ... on Error { code message } } }""",
        {"c": world.ids["conversation"], "x": f"chat {next(serial)}"},
    )
    return {"m": sent["id"]}


async def fresh_notice(api: Api, world: World, role: str) -> dict[str, Any]:
    """A new notice from the system user to the reader."""
    sent = await ok(
        api,
        world.tokens["system"],
        """mutation($u: [ID!], $x: String!) { sendNotice(input: {users: $u, text: $x}) {
          ... on SendNoticeSuccess { notice { id } } ... on Error { code message } } }""",
        {"u": [world.ids["user:reader"]], "x": f"notice {next(serial)}"},
    )
    return {"m": sent["notice"]["id"]}


async def fresh_token(api: Api, world: World, role: str) -> dict[str, Any]:
    """A second token of the role's user, so that logging it out leaves the world's token alone."""
    if role == "anonymous":
        return {"_token": None}
    password = ADMIN_PASSWORD if role == "admin" else "password-123"
    return {"_token": (await api.login(USERNAMES[role], password))["token"]}


async def fresh_announcement(api: Api, world: World, role: str) -> dict[str, Any]:
    return {"a": await publish_announcement(api, world.tokens["system"], world.ids["group"], "Withdraw me")}


async def unique_name(api: Api, world: World, role: str) -> dict[str, Any]:
    return {"name": f"n{next(serial)}"}


async def new_path(api: Api, world: World, role: str) -> dict[str, Any]:
    return {"p": f"/Secret/new{next(serial)}", "t": f"/Top{next(serial)}"}


async def existing_path(api: Api, world: World, role: str) -> dict[str, Any]:
    """Topics that exist (made by the admin): /Secret/k<n> and a top-level /Known<n>."""
    made = {"p": f"/Secret/k{next(serial)}", "t": f"/Known{next(serial)}"}
    for path in made.values():
        await ok(
            api,
            world.tokens["admin"],
            f'mutation {{ createTopic(input: {{path: "{path}"}}) {{ __typename ... on Error {{ code message }} }} }}',
        )
    return made


async def someone_else(api: Api, world: World, role: str) -> dict[str, Any]:
    return {"u": world.ids["user:stranger" if role == "admin" else "user:admin"]}
