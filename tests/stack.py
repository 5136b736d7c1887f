"""The widget stack for channel and browser tests: Rasa (socketio + REST) and the web service.

Started once per test session (imported into tests/conftest.py): loading the model
is the expensive part, and tests/channels and tests/web share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.paths import DATA_DIR
from tools.processes import free_port, start_rasa, start_web, stop


@dataclass(frozen=True)
class Stack:
    """URLs of the running servers and the Rasa tracker database."""

    rasa_url: str
    web_url: str
    tracker_db: Path


def essen_jobcenter_phones() -> set[str]:
    """The Jobcenter phone numbers the directory lists for Essen (what a card may show)."""
    path = DATA_DIR / "offices" / "essen.yml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))["offices"]
    return {r["phone"] for r in records if r["office_type"] == "jobcenter" and r.get("phone")}


@pytest.fixture(scope="session")
def widget_stack(
    model_path: str, action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Rasa with the project's credentials.yml and the web service, wired to each other."""
    tmp = tmp_path_factory.mktemp("widget-stack")
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    rasa, rasa_url, db = start_rasa(
        model_path, action_server, tmp, "credentials.yml", WIDGET_ALLOWED_ORIGINS=web_url
    )
    try:
        web = start_web(tmp, web_port, tmp / "endpoints.yml", rasa_url)
    except RuntimeError:
        stop(rasa)
        raise
    yield Stack(rasa_url, web_url, db)
    stop(web)
    stop(rasa)
