"""Settings of the web service, read from the environment when the app is created."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.paths import DATA_DIR
from bot.web.origins import DEFAULT_ORIGINS, ORIGINS_ENV, parse_origins

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Settings:
    """Everything the web service needs; see the README's configuration table."""

    host: str = "127.0.0.1"
    port: int = 8080
    #: Where browsers reach the Rasa server (its /socket.io endpoint).
    rasa_url: str = "http://127.0.0.1:5005"
    #: This service as browsers see it (used in the embed snippet).
    public_url: str = "http://127.0.0.1:8080"
    #: Sites allowed to embed the widget: CORS for its data; Rasa checks the same list.
    allowed_origins: tuple[str, ...] | str = DEFAULT_ORIGINS
    strings_dir: Path = DATA_DIR / "widget"
    static_dir: Path = STATIC_DIR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read WEB_HOST, WEB_PORT, WEB_PUBLIC_URL, RASA_PUBLIC_URL, WIDGET_ALLOWED_ORIGINS."""
        env = os.environ if env is None else env
        host = env.get("WEB_HOST", "127.0.0.1")
        try:
            port = int(env.get("WEB_PORT", "8080"))
        except ValueError as error:
            raise ValueError(f"WEB_PORT must be a number, not {env['WEB_PORT']!r}") from error
        browser_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        public_url = env.get("WEB_PUBLIC_URL") or f"http://{browser_host}:{port}"
        rasa_host = env.get("RASA_HOST", "127.0.0.1")
        rasa_host = "127.0.0.1" if rasa_host in ("0.0.0.0", "::") else rasa_host
        rasa_url = (
            env.get("RASA_PUBLIC_URL") or f"http://{rasa_host}:{env.get('RASA_PORT', '5005')}"
        )
        origins = parse_origins(env.get(ORIGINS_ENV, "")) or default_origins(public_url)
        return cls(
            host=host,
            port=port,
            rasa_url=rasa_url.rstrip("/"),
            public_url=public_url.rstrip("/"),
            allowed_origins=origins if isinstance(origins, str) else tuple(origins),
        )


def default_origins(public_url: str) -> list[str]:
    """The service's own origin (plus its localhost twin), so the demo page can chat."""
    origin = public_url.rstrip("/")
    twins = {origin, origin.replace("//127.0.0.1:", "//localhost:")}
    twins.add(origin.replace("//localhost:", "//127.0.0.1:"))
    return sorted(twins)
