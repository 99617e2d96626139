"""Look-ahead for a page of messages: the relations its selection asks for, loaded before the
page is returned, so the fields of each message resolve without waiting.

graphql-core completes a list item synchronously only when none of its fields returns an
awaitable; otherwise every item becomes a task. With `author` and `reactions` (and their users)
already in the request's loaders, `Message.author`, `Message.reactions` and `ReactionGroup.users`
answer at once from them (`Loaders.loaded`), and a page of 50 costs no task per message. The
loads go through the same DataLoaders, so the statements are the ones the fields would have
caused (one per relation), only earlier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.graphql.context import Info
from app.models import Message


def _children(selections: Iterable[Any], name: str) -> list[Any]:
    """The sub-selections of every field called `name` among `selections`, fragments flattened."""
    out: list[Any] = []
    for selection in selections:
        if getattr(selection, "name", None) == name and hasattr(selection, "alias"):
            out.extend(selection.selections)
        elif not hasattr(selection, "alias"):  # an inline fragment or a fragment spread
            out.extend(_children(selection.selections, name))
    return out


def _node_selections(info: Info) -> list[Any]:
    """What the query selects on `edges { node { ... } }` of the connection being resolved."""
    connection = [child for field in info.selected_fields for child in field.selections]
    return _children(_children(connection, "edges"), "node")


async def prefetch_message_parts(info: Info, rows: Sequence[Message]) -> None:
    if not rows or not info.context.loaders.cache:
        return
    node = _node_selections(info)
    loaders = info.context.loaders
    user_ids: set[int] = set()
    if _children(node, "author"):
        user_ids.update(m.author_id for m in rows)
    reaction_fields = _children(node, "reactions")
    if reaction_fields:
        ids = [m.id for m in rows if m.id is not None]
        found = await loaders.fetch_many("reactions", ids)
        if _children(reaction_fields, "users") or _children(_children(reaction_fields, "reactions"), "user"):
            user_ids.update(r.user_id for rs in found for r in rs)
    if user_ids:
        await loaders.fetch_many("user", sorted(user_ids))
