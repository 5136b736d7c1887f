"""The intents reviewers can assign: those declared in the domain (domain/*.yml)."""

from __future__ import annotations

import functools

import yaml

from bot.paths import PROJECT_ROOT

#: Never assigned by hand: produced by components, not learned from examples.
NOT_ASSIGNABLE = frozenset({"nlu_fallback", "unsupported_language"})


@functools.lru_cache(maxsize=1)
def known_intents() -> tuple[str, ...]:
    """Sorted intent names from every domain file."""
    names: set[str] = set()
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            names.add(next(iter(item)) if isinstance(item, dict) else str(item))
    return tuple(sorted(names - NOT_ASSIGNABLE))
