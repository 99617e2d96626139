"""Dependency direction, every package:
main/cli -> graphql -> actions, queries -> live -> filters -> access -> store -> models -> domain;
core (settings, db, auth, migrate, server) is used by all and uses only models and domain, except
core.services, which wires the live path together."""

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


OURS = ("app.",)
LAYERS = {  # package: the packages of ours it may import (besides itself)
    "domain": (),
    "models": ("domain",),
    "core": ("domain", "models"),
    "store": ("domain", "models", "core"),
    "access": ("domain", "models", "core", "store"),
    "filters": ("domain", "models", "core", "store", "access"),
    "live": ("domain", "models", "core", "store", "access", "filters"),
    "queries": ("domain", "models", "core", "store", "access", "filters"),
    "actions": ("domain", "models", "core", "store", "access", "filters"),
    "graphql": ("domain", "models", "core", "access", "filters", "live", "queries", "actions"),
}
WIRING = {"core/services.py": ("live",), "graphql/loaders.py": ("store",)}
# Modules named for an aggregate (or the places) mirror each other across layers on purpose:
# store.messages holds its SQL, actions.messages its writes. Any other name lives in one place.
AGGREGATES = {
    "accounts",
    "announcements",
    "conversations",
    "events",
    "groups",
    "messages",
    "notices",
    "places",
    "reactions",
    "refs",
    "tombstones",
    "topics",
    "users",
}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "app" else None


def test_every_package_imports_only_the_layers_below_it() -> None:
    for package, allowed in LAYERS.items():
        for path in modules(APP / package):
            rel = path.relative_to(APP).as_posix()
            extra = WIRING.get(rel, ())
            imported = {package_of(i) for i in imports_of(path)} - {None, package}
            bad = {p for p in imported if p not in allowed and p not in extra}
            assert not bad, f"{rel} imports app.{bad}"


def test_entry_points_are_the_only_loose_modules() -> None:
    loose = {p.name for p in APP.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py", "main.py", "cli.py"}, loose


def test_no_two_modules_in_different_packages_share_a_name() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for path in modules(APP):
        rel = path.relative_to(APP)
        if path.name == "__init__.py" or rel.parts[0] == "migrations" or "mutations" in rel.parts:
            continue  # graphql/mutations/<aggregate>.py mirror actions/ on purpose
        if "types" in rel.parts or path.stem in AGGREGATES:
            continue  # graphql/types/<aggregate>.py name the GraphQL types of an aggregate
        owner = seen.setdefault(path.stem, rel.as_posix())
        if owner != rel.as_posix():
            clashes.append((owner, rel.as_posix()))
    assert clashes == []


def test_the_read_rule_has_one_home() -> None:
    """Who may read what, in memory and in SQL, is written in app/access/read_rules.py only: other
    modules build no read clauses of their own, and the live path asks access per event."""
    home = APP / "access" / "read_rules.py"
    for path in modules(APP):
        if path == home:
            continue
        tree = ast.parse(path.read_text())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        rel = path.relative_to(APP).as_posix()
        assert not {d for d in defined if "readable" in d and d.endswith("clause")}, rel
        called = {
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        if rel.startswith("live/"):
            assert "topic_level" not in called, rel
    assert "event_readable_by" in (APP / "live" / "event_loading.py").read_text()


# A topic role shares a name with an event kind; it is not one.
NOT_EVENT_KINDS = {
    "actions/topics.py": {"READ"},
    "graphql/mutations/topics.py": {"READ"},
    "access/places.py": {"READ"},  # the topic level READ, re-exported by name
}


def test_event_kinds_are_named_only_by_the_one_enum() -> None:
    """No "ADDED", "PUBLISHED" ... string in app/: the kinds are app.domain.event_kinds.EventKind."""
    from app.domain.event_kinds import EventKind

    kinds = {k.value for k in EventKind}
    for path in modules(APP):
        rel = path.relative_to(APP).as_posix()
        if rel == "domain/event_kinds.py" or rel.startswith("migrations/"):
            continue
        literals = {
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        bad = (literals & kinds) - NOT_EVENT_KINDS.get(rel, set())
        assert not bad, f"{rel} spells event kinds {bad}: use EventKind"


def test_only_the_event_log_appends_events() -> None:
    """One `record` (app.actions.event_log) writes the log: messages and announcements alike."""
    for path in modules(APP):
        rel = path.relative_to(APP).as_posix()
        if rel not in {"actions/event_log.py", "store/events.py"}:
            assert "append_events" not in path.read_text(), f"{rel} appends events around record()"
