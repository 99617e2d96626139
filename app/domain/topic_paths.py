"""Pure topic path logic: /Team/Ops/Alerts."""

from __future__ import annotations

import functools
import re

from app.domain.errors import InvalidInput

SEGMENT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_DEPTH = 16
PRIVATE_ROOT = "/Private"


def parse_path(path: str, *, field: str = "path") -> list[str]:
    """The segments of a valid path; InvalidInput otherwise."""
    if not isinstance(path, str) or not path.startswith("/") or path.endswith("/") or "//" in path:
        raise InvalidInput(f"{path!r} is not a topic path such as /Team/Ops.", field=field)
    segments = path[1:].split("/")
    if len(segments) > MAX_DEPTH:
        raise InvalidInput(f"A topic path has at most {MAX_DEPTH} segments.", field=field)
    for segment in segments:
        if not SEGMENT.match(segment) or segment in {".", ".."}:
            raise InvalidInput(
                f"Segment {segment!r} of {path!r} may only hold letters, digits, '-', '_' and '.'.",
                field=field,
            )
    return segments


@functools.lru_cache(maxsize=4096)  # live filters normalize their topic for every event they see
def normalize(path: str, *, field: str = "path") -> str:
    return "/" + "/".join(parse_path(path, field=field))


def ancestors(path: str) -> list[str]:
    """Proper ancestors, nearest last: /A/B/C -> [/A, /A/B]."""
    segments = parse_path(path)
    return ["/" + "/".join(segments[:i]) for i in range(1, len(segments))]


def parent_of(path: str) -> str | None:
    chain = ancestors(path)
    return chain[-1] if chain else None


def name_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def is_under(path: str, root: str) -> bool:
    """True for `root` itself and its descendants."""
    return path == root or path.startswith(root + "/")


def private_space(username: str) -> str:
    return f"{PRIVATE_ROOT}/{username}"


def tasks_topic(username: str) -> str:
    return f"{PRIVATE_ROOT}/{username}/Tasks"


def private_owner(path: str) -> str | None:
    """The username whose private space holds `path`, if any."""
    if is_under(path, PRIVATE_ROOT) and path != PRIVATE_ROOT:
        return path.split("/")[2]
    return None
