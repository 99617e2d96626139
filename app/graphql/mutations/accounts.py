"""register, login, logout."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from app.access.places import require_viewer
from app.actions import accounts
from app.graphql.context import Info, client_address
from app.graphql.error_types import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    RateLimitedError,
    UnauthenticatedError,
)
from app.graphql.types.users import User


@strawberry.input
class RegisterInput:
    username: str
    password: str
    display_name: str | None = None
    locale: str | None = None


@strawberry.type
class RegisterSuccess:
    user: User
    token: str


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginSuccess:
    user: User
    token: str
    expires_at: datetime


@strawberry.type
class LogoutSuccess:
    logged_out: bool = strawberry.field(description="False when the token was already gone.")


RegisterResult = Annotated[
    RegisterSuccess | InvalidInputError | ConflictError | ForbiddenError,
    strawberry.union("RegisterResult"),
]
LoginResult = Annotated[
    LoginSuccess | UnauthenticatedError | RateLimitedError, strawberry.union("LoginResult")
]
LogoutResult = Annotated[LogoutSuccess | UnauthenticatedError, strawberry.union("LogoutResult")]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Create an account (may be disabled by settings).")
    async def register(self, info: Info, input: RegisterInput) -> RegisterResult:
        s = info.context.services
        session = await accounts.register(
            s.db,
            s.passwords,
            username=input.username,
            password=input.password,
            display_name=input.display_name,
            locale=input.locale,
        )
        return RegisterSuccess(user=User.from_row(session.user), token=session.token)

    @strawberry.mutation(description="Exchange a username and password for a bearer token.")
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        s = info.context.services
        session = await accounts.login(
            s.db,
            s.passwords,
            s.login_throttle,
            username=input.username,
            password=input.password,
            address=client_address(info.context.request),
        )
        return LoginSuccess(
            user=User.from_row(session.user), token=session.token, expires_at=session.expires_at
        )

    @strawberry.mutation(description="Revoke the token this request was made with.")
    async def logout(self, info: Info) -> LogoutResult:
        viewer = require_viewer(info.context.viewer)
        return LogoutSuccess(logged_out=await accounts.logout(info.context.db, viewer))
