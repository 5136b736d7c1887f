"""Run the Rasa server and the action server as one supervised group.

``make run`` calls this. Both processes start together, their output is prefixed
and interleaved, and if either exits (or Ctrl-C is pressed) all are stopped.
The HTTP API is on but needs the token from $RASA_AUTH_TOKEN or var/secrets.env.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path

from bot.languages import PROJECT_ROOT

VAR = PROJECT_ROOT / "var"
SECRETS = VAR / "secrets.env"


def auth_token() -> str:
    """$RASA_AUTH_TOKEN, else the token in var/secrets.env (generated on first use)."""
    if token := os.environ.get("RASA_AUTH_TOKEN"):
        return token
    VAR.mkdir(exist_ok=True)
    if SECRETS.exists():
        for line in SECRETS.read_text().splitlines():
            if line.startswith("RASA_AUTH_TOKEN="):
                return line.split("=", 1)[1].strip()
    token = secrets.token_urlsafe(32)
    SECRETS.write_text(f"RASA_AUTH_TOKEN={token}\n")
    SECRETS.chmod(0o600)
    return token


def commands(host: str, port: int, action_port: int, token: str) -> dict[str, list[str]]:
    """The processes of the group: name -> argv."""
    bindir = Path(sys.executable).parent
    return {
        "actions": [
            str(bindir / "rasa"),
            "run",
            "actions",
            "--actions",
            "actions",
            "--port",
            str(action_port),
        ],
        "rasa": [
            str(bindir / "rasa"),
            "run",
            "--model",
            os.environ.get("MODEL", "models"),
            "--enable-api",
            "--auth-token",
            token,
            "--interface",
            host,
            "--port",
            str(port),
            "--endpoints",
            os.environ.get("ENDPOINTS", "endpoints.yml"),
            "--credentials",
            os.environ.get("CREDENTIALS", "credentials.yml"),
        ],
    }


async def _pipe(name: str, stream: asyncio.StreamReader) -> None:
    async for line in stream:
        sys.stdout.write(f"[{name}] {line.decode(errors='replace')}")
        sys.stdout.flush()


async def supervise(argvs: dict[str, list[str]], env: dict[str, str]) -> int:
    """Start all, wait until one exits or a signal arrives, then stop all."""
    procs = {}
    for name, argv in argvs.items():
        procs[name] = await asyncio.create_subprocess_exec(
            *argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    pipes = [asyncio.create_task(_pipe(n, p.stdout)) for n, p in procs.items() if p.stdout]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waits = [asyncio.create_task(p.wait()) for p in procs.values()]
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
    failed = [n for n, p in procs.items() if p.returncode not in (None, 0)]
    for proc in procs.values():
        if proc.returncode is None:
            proc.terminate()
    try:
        await asyncio.wait_for(asyncio.gather(*waits), timeout=15)
    except asyncio.TimeoutError:
        for proc in procs.values():
            if proc.returncode is None:
                proc.kill()
    await asyncio.gather(*pipes, return_exceptions=True)
    stopper.cancel()
    if failed:
        print(f"stopped: {', '.join(failed)} exited with an error", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    """Entry point for ``python -m bot.supervisor``."""
    host = os.environ.get("RASA_HOST", "127.0.0.1")
    port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    token = auth_token()
    VAR.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    print(
        "Wegweiser starting:"
        f"\n  Rasa server   http://{host}:{port}/  (REST: /webhooks/rest/webhook)"
        f"\n  HTTP API      needs ?token=... or 'Authorization: Bearer ...' "
        f"(token in $RASA_AUTH_TOKEN or {SECRETS.relative_to(PROJECT_ROOT)})"
        f"\n  Action server http://127.0.0.1:{action_port}/health\nPress Ctrl-C to stop.",
        flush=True,
    )
    return asyncio.run(supervise(commands(host, port, action_port, token), env))


if __name__ == "__main__":
    sys.exit(main())
