"""Fixtures that start the real servers (once per test session)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

# Quiet third-party start-up noise in test output.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.helpers import BIN, MODEL, free_port, start, stop


@pytest.fixture(scope="session")
def model_path() -> str:
    """The trained model (``make test`` trains it first)."""
    assert MODEL.exists(), "no trained model: run `make train` (make test does)"
    return str(MODEL)


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real rasa-sdk action server; yields its webhook URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    proc = start([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port",
                  str(port)], f"http://127.0.0.1:{port}/health", log)
    yield f"http://127.0.0.1:{port}/webhook"
    stop(proc)


@pytest.fixture(scope="session")
def agent(model_path: str, action_server: str) -> Agent:
    """Loaded once (~20 s); every test uses its own conversation id."""
    return Agent.load(model_path, action_endpoint=EndpointConfig(url=action_server))
