"""Settings from PARLEY_* variables; the `parley` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
PARLEY = [sys.executable, "-m", "app"]


def run_cli(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    full_env.update(env)
    return subprocess.run(
        [*PARLEY, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        input=input,
    )


def test_settings_come_from_parley_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_MAX_MESSAGE_LENGTH", "123")
    monkeypatch.setenv("PARLEY_REGISTRATION_ENABLED", "false")
    monkeypatch.setenv("PARLEY_ENV", "production")
    settings = load_settings()
    assert settings.max_message_length == 123
    assert settings.registration_enabled is False
    assert settings.is_production


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_MAX_MESSAGE_LENGTH", "lots")
    monkeypatch.setenv("PARLEY_DATABASE_URL", "mysql://nope")
    monkeypatch.setenv("PARLEY_ENV", "staging")
    with pytest.raises(SettingsError) as error:
        load_settings()
    text = str(error.value)
    for name in ("PARLEY_MAX_MESSAGE_LENGTH", "PARLEY_DATABASE_URL", "PARLEY_ENV"):
        assert name in text


def test_serve_with_a_bad_value_stops_with_a_clear_message(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "1", env={"PARLEY_PAGE_SIZE_MAX": "-3"})
    assert result.returncode == 2
    assert "PARLEY_PAGE_SIZE_MAX" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_create_and_migrate(tmp_path: Path) -> None:
    env = {
        "PARLEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "PARLEY_ARGON2_TIME_COST": "1",
        "PARLEY_ARGON2_MEMORY_KIB": "64",
    }
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    created = run_cli("user", "create", "grace", "--password", "password-123", "--admin", env=env)
    assert created.returncode == 0, created.stderr
    duplicate = run_cli("user", "create", "grace", "--password", "password-123", env=env)
    assert duplicate.returncode == 1
    assert "taken" in duplicate.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as db:
        rows = db.execute(
            "SELECT u.username, r.right FROM users u JOIN user_rights r ON r.user_id = u.id"
        ).fetchall()
    assert rows == [("grace", "admin")]


def test_export_schema_prints_the_checked_in_sdl() -> None:
    result = run_cli("export-schema", env={})
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text()
