"""The `world` fixture of the action tests."""

from tests.actions.world import world

__all__ = ["world"]
