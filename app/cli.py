"""The `parley` command line: serve, migrate, user create / reset-password, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

from app.core.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_serve(args: argparse.Namespace) -> None:

    from app.core.server import ParleyServer, server_config
    from app.main import create_app

    settings = _settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(settings)
    config = server_config(
        app,
        host=args.host,
        port=args.port,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
    )
    ParleyServer(config).run()


def cmd_migrate(args: argparse.Namespace) -> None:
    from app.core.db import Database
    from app.core.migrate import upgrade

    async def run() -> None:
        db = Database(_settings())
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    asyncio.run(run())
    print("database is up to date")


def cmd_user_create(args: argparse.Namespace) -> None:
    from app.actions.accounts import do_create_user
    from app.core.auth import ADMIN_RIGHT, Passwords
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.domain.errors import DomainError

    password = args.password or getpass.getpass("password: ")
    settings = _settings()

    async def run() -> None:
        db = Database(settings)
        try:
            await upgrade(db)
            async with db.write() as uow:
                await do_create_user(
                    uow,
                    Passwords(settings),
                    settings,
                    username=args.username,
                    password=password,
                    display_name=args.display_name,
                    locale=args.locale,
                    rights=(ADMIN_RIGHT,) if args.admin else (),
                )
        finally:
            await db.dispose()

    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"parley: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"created user {args.username!r}")


def cmd_user_reset_password(args: argparse.Namespace) -> None:
    """A new password (generated and printed once, or --password, or `-` for one line of stdin);
    every token the user held is revoked."""
    import secrets

    from app.actions.accounts import do_reset_password
    from app.core.auth import Passwords
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.domain.errors import DomainError

    generated = args.password is None
    password = secrets.token_urlsafe(18) if generated else args.password
    if password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings()

    async def run() -> int:
        db = Database(settings)
        try:
            await upgrade(db)
            async with db.write() as uow:
                return await do_reset_password(
                    uow, Passwords(settings), settings, username=args.username, password=password
                )
        finally:
            await db.dispose()

    try:
        revoked = asyncio.run(run())
    except DomainError as exc:
        print(f"parley: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None
    if generated:
        print(f"New password for {args.username!r}: {password}  (shown once)")
    print(f"reset the password of {args.username!r}; revoked {revoked} token(s)")


def cmd_export_schema(args: argparse.Namespace) -> None:
    from app.graphql.schema import build_schema

    sdl = build_schema(Settings()).as_str() + "\n"
    if args.output:
        with open(args.output, "w") as f:
            f.write(sdl)
    else:
        sys.stdout.write(sdl)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="parley", description="Parley GraphQL messaging server")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve HTTP and websockets")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--password", help="prompted for when omitted")
    create.add_argument("--display-name")
    create.add_argument("--locale")
    create.add_argument("--admin", action="store_true", help="grant the admin right")
    create.set_defaults(func=cmd_user_create)
    reset = user.add_parser("reset-password", help="set a new password and revoke the user's tokens")
    reset.add_argument("username")
    reset.add_argument(
        "--password", help="the new password, or - to read one line from stdin; generated when omitted"
    )
    reset.set_defaults(func=cmd_user_reset_password)

    export = sub.add_parser("export-schema", help="print the GraphQL SDL (or write it to --output)")
    export.add_argument("--output", "-o")
    export.set_defaults(func=cmd_export_schema)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
