"""bot.rasa_server refuses secrets on the command line and an API without a token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.rasa_server import secret_from_env
from tools.processes import server_env


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in server_env(**env).items() if not k.startswith("RASA_AUTH")}
    return subprocess.run(
        [sys.executable, "-m", "bot.rasa_server", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("flag", ["--auth-token", "--auth-token=abc", "--jwt-secret"])
def test_secret_flags_are_refused(flag: str) -> None:
    result = run("run", "--enable-api", flag, "abc")
    assert result.returncode != 0
    assert "visible to every process" in result.stderr


def test_api_without_token_is_refused() -> None:
    result = run("run", "--enable-api", "--port", "1")
    assert result.returncode != 0
    assert "--enable-api needs RASA_AUTH_TOKEN" in result.stderr


def test_secret_from_env_and_file(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file\n")
    assert secret_from_env("X", {"X": "direct", "X_FILE": str(token)}) == "direct"
    assert secret_from_env("X", {"X_FILE": str(token)}) == "from-file"
    assert secret_from_env("X", {}) is None
    token.write_text("  \n")
    with pytest.raises(SystemExit):
        secret_from_env("X", {"X_FILE": str(token)})
