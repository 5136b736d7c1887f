"""Liveness and readiness probes for the Rasa server, as an input channel.

Rasa has no "model loaded and database reachable" signal: ``GET /`` answers as soon as
Sanic serves, and ``GET /status`` needs the API token. Orchestrators (Kubernetes probes,
compose health checks, a load balancer) need one without a secret, so this channel adds

- ``GET /health/live``: 200 while the process serves requests (nothing else is checked,
  so a database outage never makes an orchestrator kill healthy Rasa processes);
- ``GET /health/ready``: 200 only when a model is loaded and the tracker store's
  database (and a Redis lock store, if one is configured) answers a trivial query;
  otherwise 503 with a JSON ``reason``.

Register it in credentials.yml (``bot.channels.health.HealthInput:``). Rasa mounts
channels under ``/webhooks/<url_prefix>``; the prefix here is the absolute path
``/health``, which ``urljoin`` keeps as it is, so the probes are at ``/health/...``.
The answers carry no host names or error texts (they may contain addresses of internal
services); the exception class is enough to tell what failed, the log has the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

#: Seconds a dependency may take to answer before the server counts as not ready.
DEFAULT_TIMEOUT = 2.0


def unwrap_store(store: Any) -> Any:
    """The actual store behind Rasa's wrappers (FailSafe-, AwaitableTrackerStore)."""
    seen = set()
    while hasattr(store, "_tracker_store") and id(store) not in seen:
        seen.add(id(store))
        store = store._tracker_store
    return store


def _ping_sql(engine: Any) -> None:
    """``SELECT 1`` on the store's own engine (same pool, same credentials as Rasa)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError

    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return
        except DBAPIError as error:
            # After a database restart the pool still holds dead connections; SQLAlchemy
            # invalidates them on this first error, so one retry tells a restart that is
            # over from a database that is still down.
            if attempt == 2 or not error.connection_invalidated:
                raise


def _ping_redis(client: Any) -> None:
    if not client.ping():
        raise ConnectionError("redis did not answer PING")


def dependency_checks(agent: Any) -> dict[str, Callable[[], None]]:
    """Blocking checks for the stores the agent uses: name -> callable that raises."""
    checks: dict[str, Callable[[], None]] = {}
    tracker_store = unwrap_store(getattr(agent, "tracker_store", None))
    if hasattr(tracker_store, "engine"):  # SQLTrackerStore and our redacting subclass
        checks["tracker_store"] = lambda: _ping_sql(tracker_store.engine)
    elif hasattr(tracker_store, "red"):  # RedisTrackerStore
        checks["tracker_store"] = lambda: _ping_redis(tracker_store.red)
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is not None and hasattr(lock_store, "red"):  # RedisLockStore (+ subclasses)
        checks["lock_store"] = lambda: _ping_redis(lock_store.red)
    return checks


class HealthInput(InputChannel):
    """``/health/live`` and ``/health/ready`` for orchestrators; receives no messages."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        # One thread per dependency: a database that hangs (instead of refusing) blocks
        # only its own check's thread, never the executor Rasa uses for its work nor the
        # other check; probes that keep arriving while a check hangs get 503 at once
        # instead of piling up threads.
        self._executors: dict[str, ThreadPoolExecutor] = {}
        self._running: dict[str, Future] = {}

    @classmethod
    def name(cls) -> str:
        """Channel name (also the blueprint's)."""
        return "health"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Optional ``timeout_seconds`` (default 2)."""
        credentials = credentials or {}
        return cls(float(credentials.get("timeout_seconds", DEFAULT_TIMEOUT)))

    def url_prefix(self) -> str:
        """Absolute, so the routes are /health/... and not /webhooks/health/..."""
        return "/health"

    async def _run(self, name: str, check: Callable[[], None]) -> str | None:
        """None if ``check`` passed within the timeout, else a short reason."""
        running = self._running.get(name)
        if running is not None and not running.done():
            return "check still running"
        executor = self._executors.get(name)
        if executor is None:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"health-{name}")
            self._executors[name] = executor
        future = executor.submit(check)
        self._running[name] = future
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except Exception as error:  # any failure means "not ready"; the log keeps details
            logger.warning("readiness: %s failed: %r", name, error)
            return f"unreachable ({type(error).__name__})"
        return None

    async def readiness(self, agent: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of the readiness probe for ``agent``."""
        if agent is None or not agent.is_ready():
            return 503, {"status": "unavailable", "reason": "no model loaded"}
        checks = {"model": "ok"}
        failures = []
        dependencies = dependency_checks(agent)
        # Concurrently, so the probe takes at most one timeout however many checks hang.
        problems = await asyncio.gather(*(self._run(n, c) for n, c in dependencies.items()))
        for name, problem in zip(dependencies, problems):
            checks[name] = problem or "ok"
            if problem:
                failures.append(f"{name.replace('_', ' ')} {problem}")
        if failures:
            return 503, {"status": "unavailable", "reason": "; ".join(failures), "checks": checks}
        return 200, {"status": "ready", "checks": checks}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The two probe routes."""
        probes = Blueprint("wegweiser_health", __name__)

        @probes.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "live"})

        @probes.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            status, body = await self.readiness(getattr(request.app.ctx, "agent", None))
            return response.json(body, status=status, headers={"Cache-Control": "no-store"})

        return probes
