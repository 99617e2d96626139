"""Settings from the environment: lists take `a,b` or JSON, and a bad value stops `parley` with one
line naming the variable (no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    "value",
    [
        "https://x.example,https://y.example",
        " https://x.example , https://y.example ",
        '["https://x.example", "https://y.example"]',
    ],
)
def test_a_list_setting_takes_commas_or_json(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PARLEY_ALLOWED_ORIGINS", value)
    assert load_settings().allowed_origins == ["https://x.example", "https://y.example"]


def test_an_empty_list_setting_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_ALLOWED_ORIGINS", "")
    assert load_settings().allowed_origins == []


@pytest.mark.parametrize(
    ("name", "value"), [("PARLEY_ALLOWED_ORIGINS", "[broken"), ("PARLEY_LIVE_POLL_SECONDS", "soon")]
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_parley_stops_with_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARLEY_ALLOWED_ORIGINS": "[broken",
        "PARLEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PARLEY_ALLOWED_ORIGINS" in lines[0] and "Traceback" not in done.stderr, lines
