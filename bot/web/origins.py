"""Which sites may embed the widget: one rule shared by Rasa's socket.io and the web service.

Kept free of Rasa imports so the web service starts fast.
"""

from __future__ import annotations

from typing import Any

#: Environment variable with the allowed browser origins (comma-separated, or "*").
ORIGINS_ENV = "WIDGET_ALLOWED_ORIGINS"
#: Used when nothing is configured: the web service of `make run`.
DEFAULT_ORIGINS = ("http://127.0.0.1:8080", "http://localhost:8080")


def parse_origins(value: Any) -> list[str] | str:
    """Origins from a list or a comma-separated string; ``"*"`` allows every origin."""
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    origins = [str(o).strip().rstrip("/") for o in value or []]
    return "*" if "*" in origins else origins
