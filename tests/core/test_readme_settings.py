"""The README's deployment section lists every setting with its default (issue #13): a setting
added to app/core/settings.py without a README row, or a default changed without it, fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.core.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def shown_default(name: str, field: Any) -> str:
    value = field.default_factory() if field.default_factory is not None else field.default
    if name == "admin_password" and value is None:
        return "generated"
    if value is None or value == [] or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    value = getattr(value, "value", value)  # enums
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def deployment_section() -> str:
    text = README.read_text()
    start = text.index("\n## Deployment\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    section = deployment_section()
    cells = dict(re.findall(r"\| `(PARLEY_[A-Z0-9_]+)` \| ([^|]+?) (?=\|)", section))
    missing = []
    for name, field in Settings.model_fields.items():
        variable = f"PARLEY_{name.upper()}"
        if cells.get(variable) != shown_default(name, field):
            missing.append(
                f"{variable}: README {cells.get(variable)!r}, settings {shown_default(name, field)!r}"
            )
    assert not missing, "\n".join(missing)
    assert set(cells) <= {f"PARLEY_{n.upper()}" for n in Settings.model_fields}, (
        "a README row names no setting"
    )
