"""A Redis lock store that is safe when several Rasa replicas serve one conversation.

Rasa runs every turn under ``lock_store.lock(sender_id)``. The open-source
``RedisLockStore`` implements that lock as a *ticket queue* kept in one JSON value,
updated by get -> modify -> set from each replica (RasaHQ/rasa#9213): two replicas
that take a turn of the same conversation at the same moment can both read "no
ticket", both write ticket 0 and both run the turn at once, and a replica that
finishes may delete the queue another replica has just joined (its turn then fails
with ``LockError``). Two turns running at once load the same tracker, and the SQL
tracker store keeps only what its event count says is new: events are lost or
interleaved. The fix Rasa made went to the paid edition only.

This store takes the lock with one atomic Redis command instead:

- acquire: ``SET <key> <random token> NX PX <ttl>``, retried with a short jittered
  pause until it succeeds or ``lock_lifetime`` (Rasa's 60 s) has passed (``LockError``);
- hold: while the turn runs, the token's expiry is extended every ``ttl / 3`` by a
  compare-and-``PEXPIRE`` script, so a long turn keeps its lock but a replica that
  dies holding it frees the conversation after ``ttl`` (default 10 s), not 60 s;
- release: a compare-and-delete script, so a replica never deletes a lock that
  expired and was taken by another.

If Redis is unreachable the turn *waits* (retrying within the same deadline) rather
than running unlocked, so a Redis restart delays turns instead of interleaving them.

Configure it in endpoints.yml (keys as for ``type: redis``)::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1
      key_prefix: wegweiser
      ttl_seconds: 10   # optional
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import redis.asyncio as aioredis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Expiry of a held lock unless renewed (seconds); what a crashed holder costs.
DEFAULT_TTL_SECONDS = 10.0
#: Pause between attempts to take a busy lock (seconds; jittered by up to 100 %).
POLL_SECONDS = 0.01
#: Longest pause between attempts, after backing off.
MAX_POLL_SECONDS = 0.1

# KEYS[1] = lock key, ARGV[1] = our token: delete only if we still hold the lock.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# ARGV[2] = new expiry in ms: extend only if we still hold the lock.
RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class AtomicRedisLockStore(LockStore):
    """Per-conversation mutual exclusion across processes with one atomic Redis key."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        host: str = "localhost",
        port: int = 6379,
        db: int = 1,
        username: str | None = None,
        password: str | None = None,
        use_ssl: bool = False,
        key_prefix: str | None = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        socket_timeout: float = 2.0,
    ) -> None:
        """Read the settings from ``endpoint_config`` (how Rasa creates custom stores) or kwargs."""
        if endpoint_config is not None:
            settings: dict[str, Any] = dict(endpoint_config.kwargs)
            host = endpoint_config.url or host
            port = int(settings.get("port", port))
            db = int(settings.get("db", db))
            username = settings.get("username", username)
            password = settings.get("password", password)
            use_ssl = bool(settings.get("use_ssl", use_ssl))
            key_prefix = settings.get("key_prefix", key_prefix)
            ttl_seconds = float(settings.get("ttl_seconds", ttl_seconds))
            socket_timeout = float(settings.get("socket_timeout", socket_timeout))
        if key_prefix is not None and not str(key_prefix).isalnum():
            raise ValueError(f"lock_store key_prefix must be alphanumeric, got {key_prefix!r}")
        if ttl_seconds <= 0:
            raise ValueError("lock_store ttl_seconds must be positive")
        self.prefix = f"{key_prefix}:atomiclock:" if key_prefix else "atomiclock:"
        self.ttl_ms = int(ttl_seconds * 1000)
        self._redis_settings = dict(
            host=host,
            port=int(port),
            db=int(db),
            username=username,
            password=password,
            ssl=use_ssl,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            # After a Redis restart the pool still holds dead connections: retry on a new
            # one at once, or a release fails and the lock lingers for its ttl.
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        # Created lazily: Sanic forks workers after Rasa builds the store, and an asyncio
        # client belongs to the event loop it first runs on.
        self._client: aioredis.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        super().__init__()

    def key(self, conversation_id: str) -> str:
        """The Redis key of a conversation's lock."""
        return self.prefix + conversation_id

    def client(self) -> aioredis.Redis:
        """The asyncio Redis client of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis(**self._redis_settings)
            self._loop = loop
        return self._client

    async def acquire(self, conversation_id: str, wait_seconds: float) -> str:
        """Take the lock, waiting up to ``wait_seconds``; returns the token that holds it."""
        token = uuid.uuid4().hex
        key = self.key(conversation_id)
        deadline = time.monotonic() + wait_seconds
        pause = POLL_SECONDS
        uncertain = False  # a SET may have succeeded although its answer was lost
        while True:
            try:
                if await self.client().set(key, token, nx=True, px=self.ttl_ms):
                    return token
                if uncertain and await self.client().get(key) == token.encode():
                    return token
            except REDIS_DOWN as error:
                # Wait for Redis rather than run the turn unlocked.
                logger.warning("lock store: Redis unreachable (%s); waiting", type(error).__name__)
                pause = MAX_POLL_SECONDS * 5
                uncertain = True
            if time.monotonic() >= deadline:
                raise LockError(f"Could not acquire lock within {wait_seconds:.0f} s.")
            await asyncio.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, MAX_POLL_SECONDS)

    async def release(self, conversation_id: str, token: str) -> bool:
        """Delete the lock if ``token`` still holds it; True if it did."""
        try:
            deleted = await self.client().eval(RELEASE_SCRIPT, 1, self.key(conversation_id), token)
        except REDIS_DOWN as error:
            # The key expires by itself after ttl; nobody else's lock is touched.
            logger.warning("lock store: could not release (%s)", type(error).__name__)
            return False
        return bool(deleted)

    async def renew(self, conversation_id: str, token: str) -> bool:
        """Extend the lock's expiry if ``token`` still holds it; True if it did."""
        renewed = await self.client().eval(
            RENEW_SCRIPT, 1, self.key(conversation_id), token, self.ttl_ms
        )
        return bool(renewed)

    async def _keep_alive(self, conversation_id: str, token: str) -> None:
        """Renew every ttl/3 until cancelled (a turn may take longer than the ttl)."""
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                if not await self.renew(conversation_id, token):
                    logger.error("lock store: a lock expired while its turn was running")
                    return
            except REDIS_DOWN as error:
                logger.warning("lock store: could not renew (%s)", type(error).__name__)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for the duration of the ``async with`` block.

        ``lock_lifetime`` bounds the wait for the lock (Rasa passes 60 s);
        ``wait_time_in_seconds`` (Rasa's polling interval for tickets) is not used.
        Yields a ``TicketLock`` only because Rasa's signature promises one.
        """
        token = await self.acquire(conversation_id, float(lock_lifetime))
        keeper = asyncio.create_task(self._keep_alive(conversation_id, token))
        try:
            yield TicketLock(conversation_id)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self.release(conversation_id, token)
