"""Run the Rasa server, the action server and the web service as one supervised group.

``make run`` calls this. All processes start together, their output is prefixed
and interleaved, and if either exits (or Ctrl-C is pressed) all are stopped.
The HTTP API is on but needs the token from $RASA_AUTH_TOKEN or var/secrets.env.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot import local_secrets
from bot.paths import PROJECT_ROOT
from bot.privacy.pseudonyms import KEY_ENV
from bot.web.origins import ORIGINS_ENV
from bot.web.settings import Settings as WebSettings

VAR = local_secrets.VAR
SECRETS = local_secrets.SECRETS


def auth_token() -> str:
    """$RASA_AUTH_TOKEN, else the token in var/secrets.env (generated on first use)."""
    return local_secrets.get_or_create("RASA_AUTH_TOKEN")


def action_server_port(endpoints: Path) -> int:
    """The port of ``action_endpoint.url`` in the endpoints file Rasa will read.

    Rasa calls the actions at that URL, so the action server must listen there; one
    setting instead of two that can disagree.
    """
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    url = urlsplit(str((config.get("action_endpoint") or {}).get("url", "")))
    return url.port or 5055


def rasa_workers(endpoints: Path, value: str | None) -> int:
    """The number of Rasa worker processes from ``$RASA_WORKERS`` (default 1).

    Several workers share conversations only through a lock store outside the process
    (Redis); with the in-memory one Rasa would silently run a single worker, so that
    combination is refused here with a message instead.
    """
    try:
        workers = int(value or "1")
    except ValueError:
        raise SystemExit(f"RASA_WORKERS must be a whole number, not {value!r}") from None
    if workers < 1:
        raise SystemExit(f"RASA_WORKERS must be at least 1, not {workers}")
    if workers > 1:
        config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
        lock_store = (config.get("lock_store") or {}).get("type", "in_memory")
        if lock_store == "in_memory":
            raise SystemExit(
                f"RASA_WORKERS={workers} needs a shared lock store, but {endpoints.name} has "
                "none: use endpoints.production.yml (Redis) or add a lock_store section."
            )
    return workers


def commands(host: str, port: int, action_port: int) -> dict[str, list[str]]:
    """The processes of the group: name -> argv (secrets go through the environment)."""
    return {
        "actions": [
            sys.executable,
            "-m",
            "bot.action_server",  # rasa-sdk without TensorFlow (~115 instead of ~525 MiB)
            "--actions",
            "actions",
            "--port",
            str(action_port),
        ],
        "rasa": [
            sys.executable,
            "-m",
            "bot.rasa_server",  # installs bot/patches; --auth-token from $RASA_AUTH_TOKEN
            "run",
            "--model",
            os.environ.get("MODEL", "models"),
            "--enable-api",
            "--interface",
            host,
            "--port",
            str(port),
            "--endpoints",
            os.environ.get("ENDPOINTS", "endpoints.yml"),
            "--credentials",
            os.environ.get("CREDENTIALS", "credentials.yml"),
        ],
        # Demo page + chat widget (+ staff console); settings from WEB_* (bot/web/settings.py).
        "web": [sys.executable, "-m", "bot.web"],
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
    endpoints = PROJECT_ROOT / os.environ.get("ENDPOINTS", "endpoints.yml")
    action_port = action_server_port(endpoints)
    workers = rasa_workers(endpoints, os.environ.get("RASA_WORKERS"))
    os.umask(0o077)  # var/ (tracker database, secrets, logs) readable by its owner only
    VAR.mkdir(mode=0o700, exist_ok=True)
    web = WebSettings.from_env()  # WEB_*, RASA_PUBLIC_URL, WIDGET_ALLOWED_ORIGINS
    env = {
        **os.environ,
        # One list of sites that may embed the widget, for Rasa's socket.io and the web service.
        ORIGINS_ENV: web.allowed_origins
        if isinstance(web.allowed_origins, str)
        else ",".join(web.allowed_origins),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_AUTH_TOKEN": auth_token(),
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Rasa reads its worker count from Sanic's variable.
        "SANIC_WORKERS": str(workers),
        # Messenger channels pseudonymise user ids with this key (bot/privacy/pseudonyms.py).
        KEY_ENV: local_secrets.get_or_create(KEY_ENV),
    }
    print(
        "Wegweiser starting:"
        f"\n  Rasa server   http://{host}:{port}/  (REST: /webhooks/rest/webhook; "
        f"{workers} worker{'s' if workers > 1 else ''})"
        f"\n  HTTP API      needs ?token=... or 'Authorization: Bearer ...' "
        f"(token in $RASA_AUTH_TOKEN or {SECRETS.relative_to(PROJECT_ROOT)})"
        f"\n  Action server http://127.0.0.1:{action_port}/health"
        f"\n  Web widget    {web.public_url}/  (demo page; embed: README, 'Embed the widget')"
        f"\n  Staff console {web.public_url}/staff/  (accounts: python -m bot.console users add)"
        "\nPress Ctrl-C to stop.",
        flush=True,
    )
    return asyncio.run(supervise(commands(host, port, action_port), env))


if __name__ == "__main__":
    sys.exit(main())
