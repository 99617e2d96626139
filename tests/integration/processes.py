"""Real `parley serve` processes for crash, kill and shutdown tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]


class ParleyProcess:
    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        self.env.update(
            {
                "PARLEY_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "PARLEY_ARGON2_TIME_COST": "1",
                "PARLEY_ARGON2_MEMORY_KIB": "64",
                "PARLEY_LOG_LEVEL": "WARNING",
                "PARLEY_SEND_PER_SECOND": "0",  # the tests send fast; the limit has its own tests
                **env,
            }
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> ParleyProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"parley serve on {self.port} did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
