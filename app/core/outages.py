"""Tell "the database is unreachable" apart from a bug: the first is answered 503, not INTERNAL."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

# SQLite's own words for a file it cannot use (a dropped table is a bug, not an outage)
_SQLITE_OUTAGE = (
    "unable to open database file",
    "disk i/o error",
    "database is locked",
    "readonly database",
    "database or disk is full",
    "no such file",
)
# asyncpg's exceptions about the connection, by class name (asyncpg is an optional dependency)
_ASYNCPG_OUTAGE = {
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "PostgresConnectionError",
    "CannotConnectNowError",
    "AdminShutdownError",
    "CrashShutdownError",
    "TooManyConnectionsError",
    "ConnectionRejectionError",
    "ClientCannotConnectError",
}


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def database_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the database cannot be reached or used now."""
    for cause in _causes(error):
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, sa_exc.TimeoutError | sa_exc.DisconnectionError):
            return True
        if isinstance(cause, OSError | TimeoutError):  # refused, reset, unreachable, DNS
            return True
        if isinstance(cause, sqlite3.OperationalError | sqlite3.DatabaseError) and any(
            text in str(cause).lower() for text in _SQLITE_OUTAGE
        ):
            return True
        if type(cause).__module__.startswith("asyncpg") and type(cause).__name__ in _ASYNCPG_OUTAGE:
            return True
    return False
