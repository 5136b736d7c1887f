"""Fixtures that start the real servers (once per test session)."""

from __future__ import annotations

import os

# Set before Rasa is imported: quiets third-party start-up noise in test output.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from tools.postgres import throwaway_database  # noqa: E402
from tools.processes import MODEL, start_actions, stop  # noqa: E402

#: Fixtures that load the trained model / start real servers: a test using one (directly
#: or through another fixture) gets the marker, so `pytest -m "not model and not server"`
#: is the fast inner loop without training.
MODEL_FIXTURES = {"model_path", "agent"}
SERVER_FIXTURES = {"action_server", "widget_stack"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the fixtures they need (see MODEL_FIXTURES, SERVER_FIXTURES)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & (MODEL_FIXTURES | SERVER_FIXTURES):
            item.add_marker(pytest.mark.model)
        if fixtures & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def model_path() -> str:
    """The trained model (``make test`` trains it first)."""
    assert MODEL.exists(), "no trained model: run `make train` (make test does)"
    return str(MODEL)


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real rasa-sdk action server; yields its webhook URL."""
    proc, url = start_actions(tmp_path_factory.mktemp("actions") / "actions.log")
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server for this session, dropped afterwards."""
    with throwaway_database("wegweiser_test") as url:
        yield url


@pytest.fixture(scope="session")
def agent(model_path: str, action_server: str) -> Agent:
    """Loaded once (~20 s); every test uses its own conversation id."""
    return Agent.load(
        model_path,
        # as endpoints.yml: the domain goes only to actions that ask for it
        action_endpoint=EndpointConfig(url=action_server, enable_selective_domain=True),
    )


# Rasa + web service for tests/channels (socket.io) and tests/web (browser), once per session.
from tests.stack import widget_stack  # noqa: E402, F401
