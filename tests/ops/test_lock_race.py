"""Concurrent turns of one conversation on two replicas: nothing lost, doubled or mixed.

Rasa's own RedisLockStore lets such turns run at once (RasaHQ/rasa#9213); the numbers
for it and for bot.lock_store.AtomicRedisLockStore are in docs/reliability.md
(`make bench-lock-race`). This test holds our store, which the cluster runs, to zero.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tools.cluster import ATOMIC_LOCKS, Cluster
from tools.traffic import audit, race

pytestmark = [pytest.mark.ops, pytest.mark.server]


def test_paired_turns_on_both_replicas_are_stored_whole_and_in_order(cluster: Cluster):
    assert cluster.lock_store == ATOMIC_LOCKS
    prefix = f"ops-race-{uuid.uuid4().hex[:8]}"
    urls = [r.url for r in cluster.replicas]
    sent, turns = asyncio.run(race(urls, conversations=10, pairs=3, prefix=prefix))
    failed = [t for t in turns if not t.ok]
    assert not failed, failed[:3]
    result = audit(cluster.database_url, sent)
    assert result.sent == 60
    assert result.clean, result.summary()
    assert result.stored == 60
