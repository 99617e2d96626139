"""SQL statements per request: Parley runs at most one more than the raw reference doing the same
work (bench/raw_app.py: plain Starlette, the same SQL result, no GraphQL), for each benchmark case
and counting everything sent to the database (data statements, BEGIN/COMMIT) and every connection
taken from the pool, after-commit work included. Counted, never timed (bench/statements.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.cases import CASES
from bench.seed import seed
from bench.statements import measure

pytestmark = pytest.mark.sqlite_only  # the benchmark's database


def test_every_case_costs_at_most_one_statement_more_than_raw(tmp_path: Path) -> None:
    fixture = seed(tmp_path / "bench.db", 3000)
    counted = asyncio.run(measure(tmp_path / "bench.db", fixture))
    for case in CASES:
        ours, raw = counted["parley"][case.key], counted["raw"][case.key]
        statements = len(ours["sql"]) + ours["control"], len(raw["sql"]) + raw["control"]
        assert statements[0] <= statements[1] + 1, (case.key, statements, ours["sql"], raw["sql"])
        assert ours["connections"] <= raw["connections"], (case.key, ours["connections"], raw["connections"])
        assert len(ours["sql"]) <= len(raw["sql"]) + 1, (case.key, ours["sql"], raw["sql"])
