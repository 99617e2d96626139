"""Accounts: register, log in and out, the first admin (tokens are read in access.authentication)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.actions.topics import ensure_private_space
from app.actions.validation import check_locale, check_optional_text, check_url, check_username
from app.core.auth import ADMIN_RIGHT, Passwords, Viewer, new_token
from app.core.db import Database, UnitOfWork
from app.core.settings import Settings
from app.core.throttles import LoginThrottle
from app.domain.errors import Conflict, InvalidCredentials, InvalidInput, NotFound, RegistrationClosed
from app.models import User, utcnow
from app.store import tokens as token_store
from app.store import users as user_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    user: User
    token: str
    expires_at: datetime


def check_password(password: str, settings: Settings) -> str:
    if len(password) < settings.min_password_length or not password.strip():
        raise InvalidInput(
            f"A password needs at least {settings.min_password_length} characters.",
            field="password",
        )
    if len(password) > 1024:
        raise InvalidInput("A password may have at most 1024 characters.", field="password")
    return password


async def do_create_user(
    uow: UnitOfWork,
    passwords: Passwords,
    settings: Settings,
    *,
    username: str,
    password: str,
    display_name: str | None = None,
    locale: str | None = None,
    avatar_url: str | None = None,
    rights: tuple[str, ...] = (),
) -> User:
    check_username(username)
    check_password(password, settings)
    display = check_optional_text(display_name, field="displayName", max_length=100) or username
    if avatar_url is not None:
        check_url(avatar_url, field="avatarUrl")
    if await user_store.get_user_by_username(uow.session, username=username) is not None:
        raise Conflict(f"The username {username!r} is taken.", field="username")
    user = await user_store.insert_user(
        uow.session,
        username=username,
        display_name=display,
        password_hash=await passwords.hash(password),
        locale=check_locale(locale) or "en",
        avatar_url=avatar_url,
        now=utcnow(),
    )
    assert user.id is not None
    for right in rights:
        await user_store.set_right(uow.session, user_id=user.id, right=right, granted=True)
    await ensure_private_space(uow, settings, user)
    return user


async def do_issue_token(uow: UnitOfWork, settings: Settings, *, user: User) -> Session:
    assert user.id is not None
    token, token_hash = new_token()
    now = utcnow()
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    await token_store.insert_token(
        uow.session, user_id=user.id, token_hash=token_hash, now=now, expires_at=expires_at
    )
    return Session(user=user, token=token, expires_at=expires_at)


async def register(
    db: Database,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    display_name: str | None,
    locale: str | None,
) -> Session:
    if not db.settings.registration_enabled:
        raise RegistrationClosed()
    async with db.write() as uow:
        user = await do_create_user(
            uow,
            passwords,
            db.settings,
            username=username,
            password=password,
            display_name=display_name,
            locale=locale,
        )
        return await do_issue_token(uow, db.settings, user=user)


async def login(
    db: Database,
    passwords: Passwords,
    throttle: LoginThrottle,
    *,
    username: str,
    password: str,
    address: str | None,
) -> Session:
    """A token for the right password. Failed logins slow down further attempts for that username
    and from that address (RATE_LIMITED with the wait), before any password is hashed."""
    throttle.check(username, address)
    async with db.read() as session:
        user = await user_store.get_user_by_username(session, username=username)
    # Verify even for an unknown user so timing does not tell whether it exists.
    ok = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok:
        throttle.failed(username, address)
        raise InvalidCredentials()
    throttle.succeeded(username)
    async with db.write() as uow:
        return await do_issue_token(uow, db.settings, user=user)


async def logout(db: Database, viewer: Viewer) -> bool:
    if viewer.token_hash is None:
        return False
    async with db.write() as uow:
        uow.note_users_changed([viewer.user_id])
        return await token_store.delete_token(uow.session, token_hash=viewer.token_hash) > 0


async def do_reset_password(
    uow: UnitOfWork, passwords: Passwords, settings: Settings, *, username: str, password: str
) -> int:
    """Give the user a new password and revoke every token they hold; returns how many."""
    check_password(password, settings)
    user = await user_store.get_user_by_username(uow.session, username=username)
    if user is None or user.id is None:
        raise NotFound(f"No user named {username!r}.")
    await user_store.set_password_hash(
        uow.session, user_id=user.id, password_hash=await passwords.hash(password)
    )
    uow.note_users_changed([user.id])
    return await token_store.delete_user_tokens(uow.session, user_id=user.id)


async def ensure_admin(db: Database, passwords: Passwords) -> str | None:
    """Create the `admin` user on first start; returns a generated password to print once."""
    async with db.read() as session:
        if await user_store.get_user_by_username(session, username="admin") is not None:
            return None
    secret = db.settings.admin_password
    password = secret.get_secret_value() if secret else secrets.token_urlsafe(18)

    async def create(uow: UnitOfWork) -> bool:
        if await user_store.get_user_by_username(uow.session, username="admin") is not None:
            return False  # another instance starting at the same time won
        await do_create_user(
            uow,
            passwords,
            db.settings,
            username="admin",
            password=password,
            display_name="Administrator",
            rights=(ADMIN_RIGHT,),
        )
        return True

    # on PostgreSQL two instances may both miss the row; the loser retries and finds it
    created = await db.write_retrying(create)
    return password if created and not secret else None
