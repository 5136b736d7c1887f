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


ARENA_PROBE = """
import ctypes, sys, threading
from bot.rasa_server import limit_malloc_arenas
print("capped" if sys.argv[1] == "cap" and limit_malloc_arenas() else "default", flush=True)
barrier = threading.Barrier(8)
keep = []
def work():
    barrier.wait()  # all threads allocate at once, so glibc would hand out new arenas
    keep.append([bytearray(200) for _ in range(20000)])
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fdopen.restype = ctypes.c_void_p
out = libc.fdopen(1, b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fflush(ctypes.c_void_p(out))
"""


def _arenas(mode: str, **env: str) -> tuple[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", ARENA_PROBE, mode],
        env={**server_env(), "MALLOC_ARENA_MAX": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()[0], result.stdout.count("<heap nr=")


def test_malloc_arenas_are_capped_at_two() -> None:
    # Threads allocating at once get arenas of their own unless the cap holds.
    assert _arenas("cap") == ("capped", 2)
    label, uncapped = _arenas("default")
    assert label == "default" and uncapped > 2


def test_malloc_arena_max_from_the_environment_wins() -> None:
    label, arenas = _arenas("cap", MALLOC_ARENA_MAX="4")
    assert label == "default" and arenas > 2
