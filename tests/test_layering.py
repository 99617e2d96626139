"""Dependency direction: main -> graphql -> actions/queries -> (access, store, events) -> models."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_graphql_never_imports_sql_libraries() -> None:
    for path in modules(APP / "graphql"):
        bad = {
            i
            for i in imports_of(path)
            if i.split(".")[0] in {"sqlalchemy", "sqlmodel", "aiosqlite", "asyncpg"}
        }
        assert not bad, f"{path.relative_to(APP)} imports {bad}"


def test_only_loaders_reach_the_store_from_graphql() -> None:
    for path in modules(APP / "graphql"):
        if path.name == "loaders.py":
            continue
        bad = {i for i in imports_of(path) if i.startswith("app.store")}
        assert not bad, f"{path.relative_to(APP)} imports {bad}"


def test_strawberry_stays_in_graphql_and_broadcaster_in_bus() -> None:
    for path in modules(APP):
        rel = path.relative_to(APP)
        roots = {i.split(".")[0] for i in imports_of(path)}
        if rel.parts[0] != "graphql":
            assert "strawberry" not in roots, f"{rel} imports strawberry"
        if rel.name != "bus.py":
            assert "broadcaster" not in roots, f"{rel} imports broadcaster"


def test_store_and_actions_never_commit() -> None:
    for folder in ("store", "actions"):
        for path in modules(APP / folder):
            source = path.read_text()
            assert ".commit(" not in source, (
                f"{path.relative_to(APP)} commits; the caller owns the transaction"
            )


def test_lower_layers_do_not_import_upper_ones() -> None:
    upper = {
        "store": ("app.actions", "app.graphql", "app.main", "app.queries"),
        "actions": ("app.graphql", "app.main"),
    }
    for folder, forbidden in upper.items():
        for path in modules(APP / folder):
            bad = {i for i in imports_of(path) if i.startswith(forbidden)}
            assert not bad, f"{path.relative_to(APP)} imports {bad}"
