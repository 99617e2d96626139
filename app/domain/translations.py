"""Pure translation logic: the best translation for a reader's locale, and {0}, {1} ... filled
from a message's parameters. Messages, notices and announcements are rendered with it."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def locale_chain(*locales: str | None) -> list[str]:
    """Wanted locales, most specific first, each followed by its parents: de-CH -> de-ch, de."""
    chain: list[str] = []
    for locale in locales:
        if not locale:
            continue
        parts = locale.lower().replace("_", "-").split("-")
        for i in range(len(parts), 0, -1):
            candidate = "-".join(parts[:i])
            if candidate not in chain:
                chain.append(candidate)
    return chain


def pick_translation(base: str, translations: dict[str, str], chain: list[str]) -> str:
    by_locale = {k.lower(): v for k, v in translations.items()}
    return next((by_locale[c] for c in chain if c in by_locale), base)


def fill_parameters(text: str, parameters: list[str]) -> str:
    """{0}, {1} ... replaced by parameters; a placeholder without one stays as written."""
    return _PLACEHOLDER.sub(
        lambda m: parameters[int(m.group(1))] if int(m.group(1)) < len(parameters) else m.group(0), text
    )


def render(base: str, translations: dict[str, str], parameters: list[str], chain: list[str]) -> str:
    return fill_parameters(pick_translation(base, translations, chain), parameters)
