"""Bearer tokens, stored as SHA-256 hashes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuthToken, User


async def insert_token(
    session: AsyncSession, *, user_id: int, token_hash: str, now: datetime, expires_at: datetime
) -> AuthToken:
    token = AuthToken(user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at)
    session.add(token)
    await session.flush()
    return token


async def get_token_user(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> tuple[AuthToken, User] | None:
    stmt = (
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == token_hash, AuthToken.expires_at > now)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def token_users(
    session: AsyncSession, *, token_hashes: Sequence[str], now: datetime
) -> dict[str, User]:
    """The users of the tokens among `token_hashes` that have not expired, by token hash."""
    if not token_hashes:
        return {}
    stmt = (
        select(AuthToken.token_hash, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash.in_(set(token_hashes)), AuthToken.expires_at > now)
    )
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def delete_token(session: AsyncSession, *, token_hash: str) -> int:
    result = await session.execute(delete(AuthToken).where(AuthToken.token_hash == token_hash))
    return int(result.rowcount or 0)


async def delete_user_tokens(session: AsyncSession, *, user_id: int) -> int:
    result = await session.execute(delete(AuthToken).where(AuthToken.user_id == user_id))
    return int(result.rowcount or 0)


async def delete_expired_tokens(session: AsyncSession, *, now: datetime) -> int:
    result = await session.execute(delete(AuthToken).where(AuthToken.expires_at <= now))
    return int(result.rowcount or 0)
