"""bot.lock_store.AtomicRedisLockStore against the real local Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import AvailableEndpoints

from bot.lock_store import AtomicRedisLockStore
from tools.processes import free_port

pytestmark = pytest.mark.ops

REDIS_DB = 7


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = "wwlocktest" + uuid.uuid4().hex[:8]
    yield name
    client = redis.Redis(db=REDIS_DB)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def store(prefix: str, ttl: float = 10.0, port: int = 6379) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(
        host="127.0.0.1", port=port, db=REDIS_DB, key_prefix=prefix, ttl_seconds=ttl
    )


def test_rasa_builds_it_from_endpoints_yml(tmp_path: Path, prefix: str):
    path = tmp_path / "endpoints.yml"
    path.write_text(
        "lock_store:\n  type: bot.lock_store.AtomicRedisLockStore\n  url: 127.0.0.1\n"
        f"  port: 6379\n  db: {REDIS_DB}\n  key_prefix: {prefix}\n  ttl_seconds: 3\n"
    )
    created = LockStore.create(AvailableEndpoints.read_endpoints(str(path)).lock_store)
    assert isinstance(created, AtomicRedisLockStore)
    assert created.ttl_ms == 3000
    assert created.key("abc") == f"{prefix}:atomiclock:abc"


def test_non_alphanumeric_prefix_is_refused():
    with pytest.raises(ValueError):
        AtomicRedisLockStore(key_prefix="we:gweiser")


def test_two_stores_never_hold_one_conversation_at_once(prefix: str):
    """Read-modify-write of a counter under the lock from two "replicas": no update lost."""
    counter = f"{prefix}:counter"

    async def run() -> int:
        replicas = [store(prefix), store(prefix)]
        client = aioredis.Redis(db=REDIS_DB)
        inside = 0
        overlaps = 0

        async def turn(lock_store: AtomicRedisLockStore) -> None:
            nonlocal inside, overlaps
            async with lock_store.lock("conversation"):
                inside += 1
                overlaps += inside > 1
                value = int(await client.get(counter) or 0)
                await asyncio.sleep(0.002)  # a turn's work, during which others try
                await client.set(counter, value + 1)
                inside -= 1

        await asyncio.gather(*(turn(replicas[i % 2]) for i in range(60)))
        assert overlaps == 0
        total = int(await client.get(counter))
        await client.close()
        return total

    assert asyncio.run(run()) == 60


def test_release_never_deletes_a_lock_taken_by_another(prefix: str):
    async def run() -> None:
        a, b = store(prefix), store(prefix)
        token_a = await a.acquire("c", 1)
        # A's lock expired (a long GC pause, say) and B took the conversation.
        redis.Redis(db=REDIS_DB).delete(a.key("c"))
        token_b = await b.acquire("c", 1)
        assert not await a.release("c", token_a)
        assert redis.Redis(db=REDIS_DB).get(a.key("c")).decode() == token_b
        assert await b.release("c", token_b)
        assert redis.Redis(db=REDIS_DB).get(a.key("c")) is None

    asyncio.run(run())


def test_a_long_turn_keeps_its_lock_beyond_the_ttl(prefix: str):
    async def run() -> None:
        a, b = store(prefix, ttl=0.3), store(prefix, ttl=0.3)
        async with a.lock("c"):
            await asyncio.sleep(1.0)  # > 3 x ttl: renewed meanwhile
            with pytest.raises(LockError):
                await b.acquire("c", 0.3)
        started = time.monotonic()
        token = await b.acquire("c", 2)
        assert time.monotonic() - started < 0.5  # released at once, not left to expire
        await b.release("c", token)

    asyncio.run(run())


def test_a_crashed_holder_frees_the_conversation_after_the_ttl(prefix: str):
    async def run() -> float:
        a, b = store(prefix, ttl=0.5), store(prefix, ttl=0.5)
        await a.acquire("c", 1)  # never released, never renewed: the process died
        started = time.monotonic()
        token = await b.acquire("c", 5)
        waited = time.monotonic() - started
        await b.release("c", token)
        return waited

    assert 0.3 < asyncio.run(run()) < 1.5


def test_without_redis_a_turn_waits_then_fails_instead_of_running_unlocked(prefix: str):
    async def run() -> float:
        unreachable = store(prefix, port=free_port())
        started = time.monotonic()
        with pytest.raises(LockError):
            async with unreachable.lock("c", lock_lifetime=1.0):
                raise AssertionError("ran without the lock")
        return time.monotonic() - started

    assert 0.9 < asyncio.run(run()) < 5
