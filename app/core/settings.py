"""Configuration from PARLEY_* environment variables; every limit lives here."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore", frozen=True)

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./data/parley.db"
    bus_url: str = "memory://"
    admin_password: SecretStr | None = None
    registration_enabled: bool = True
    # the web client at `/` (false: `/` points to /graphql)
    web_client: bool = True
    log_level: str = "INFO"

    # accounts
    token_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    min_password_length: int = Field(default=8, ge=1, le=128)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    # password hashes computed at once (each takes a core for tens of milliseconds), and how many
    # may wait for one before a login or registration is refused with RATE_LIMITED
    password_hash_concurrency: int = Field(default=2, gt=0)
    password_hash_queue: int = Field(default=32, ge=0)
    # failed logins: after this many in a row for a username (or this many from one address), each
    # further attempt waits 2^n seconds, at most login_max_wait_seconds
    login_free_failures: int = Field(default=5, gt=0)
    login_free_failures_per_address: int = Field(default=20, gt=0)
    login_max_wait_seconds: float = Field(default=900, gt=0)
    # sending messages and notices, per user: a burst, then this many per second (0: no limit)
    send_per_second: float = Field(default=10, ge=0)
    send_burst: int = Field(default=100, gt=0)

    # limits: every size and count cap of the API is here
    max_message_length: int = Field(default=4000, gt=0, le=1_000_000)
    max_attachments: int = Field(default=20, ge=0)
    max_replies_default: int = Field(default=1000, ge=0)
    max_bulk_items: int = Field(default=100, gt=0)
    max_bulk_delete: int = Field(default=10_000, gt=0)
    max_replies_per_send: int = Field(default=50, ge=0)
    max_participants: int = Field(default=256, ge=2)
    page_size_default: int = Field(default=20, gt=0)
    page_size_max: int = Field(default=100, gt=0)
    max_query_depth: int = Field(default=12, gt=0)
    max_aliases: int = Field(default=30, gt=0)
    max_tokens: int = Field(default=4000, gt=0)
    # objects an operation may resolve, page sizes multiplied through nested connections
    max_query_cost: int = Field(default=20_000, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    max_subscriptions_per_connection: int = Field(default=100, gt=0)
    # open websockets and subscriptions (operations on them) per process, per user and per client
    # address (app/live/socket_limits.py); a socket over a cap is closed (1013 for the process,
    # 4008 for a user or address), a subscription over one gets an `error` frame
    max_sockets: int = Field(default=20_000, gt=0)
    max_sockets_per_user: int = Field(default=100, gt=0)
    max_sockets_per_address: int = Field(default=1000, gt=0)
    max_subscriptions: int = Field(default=40_000, gt=0)
    max_subscriptions_per_user: int = Field(default=500, gt=0)
    max_subscriptions_per_address: int = Field(default=5000, gt=0)
    # subscriptions a user (an anonymous socket: its address) may start: a burst, then this many
    # per second (0: no limit)
    subscribe_per_second: float = Field(default=10, ge=0)
    subscribe_burst: int = Field(default=200, gt=0)
    subscriber_queue_size: int = Field(default=1000, gt=0)
    # a relevance-ordered text search ranks the newest this many matches (bm25 costs about a
    # microsecond per match on SQLite); older matches follow, newest first
    search_rank_window: int = Field(default=3000, gt=0)
    # a list in date order with a filter over an index of its own first looks for a full page
    # among this many messages in date order before collecting and sorting every match
    list_walk_rows: int = Field(default=2000, gt=0)
    # counting a text search names at most this many topics (readable or not) in its FTS5 query
    search_count_named_topics: int = Field(default=64, ge=0)

    # while a user has announcements waiting for confirmation, refuse everything but reading and
    # confirming them (easydb's gate); off by default
    announcement_gate: bool = False

    # an HTTP query running longer is stopped, its statements with it, and answered TIMEOUT; a
    # mutation is stopped only before it begins to write (0: no deadline)
    request_deadline_seconds: float = Field(default=10.0, ge=0)

    # storage and live delivery
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    live_poll_seconds: float = Field(default=5.0, gt=0)
    # how often an open websocket re-reads its user (groups, rights, token still valid)
    live_auth_refresh_seconds: float = Field(default=30.0, gt=0)
    # how long a token's viewer is kept in memory without a query (0: never); changes made through
    # the API reach every instance at once over the bus, this bounds only what the bus cannot report
    auth_cache_seconds: float = Field(default=10.0, ge=0)
    event_retention_seconds: float = Field(default=7 * 24 * 3600, gt=0)
    event_prune_interval_seconds: float = Field(default=3600, gt=0)
    ws_per_message_deflate: bool = False
    # a comma-separated list (`https://a,https://b`) or a JSON list
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _a_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list ({exc.msg}); or give a comma-separated list") from None
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg://, got " + repr(value)
            )
        return value

    @field_validator("bus_url")
    @classmethod
    def _known_bus(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "postgres://", "postgresql://")):
            raise ValueError("must start with memory://, redis:// or postgres://, got " + repr(value))
        return value

    @field_validator("page_size_max")
    @classmethod
    def _cap_not_below_default(cls, value: int, info: object) -> int:
        default = getattr(info, "data", {}).get("page_size_default", 20)
        if value < default:
            raise ValueError(f"must be >= page_size_default ({default})")
        return value

    @property
    def is_production(self) -> bool:
        return self.env == Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsError(Exception):
    """Configuration is invalid; the message names each bad variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except PydanticSettingsError as exc:  # a value the environment source could not decode
        raise SettingsError(f"invalid configuration: {exc}") from None
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "PARLEY_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("invalid configuration: " + "; ".join(lines)) from None
