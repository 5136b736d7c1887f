"""A short version of `make bench-load`: 40 conversations x 5 turns at once through nginx."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tools.cluster import Cluster
from tools.traffic import Load, audit, burst

pytestmark = [pytest.mark.ops, pytest.mark.server]


def test_40_conversations_at_once_lose_nothing(cluster: Cluster):
    load = Load(cluster.proxy_url, f"ops-load-{uuid.uuid4().hex[:6]}")
    result = asyncio.run(burst(load, conversations=40, turns=5))
    assert result["turns"] == 200
    assert result["errors"] == 0, result["error_examples"]
    assert result["apologies"] == 0, result  # no custom action over its 1.5 s limit
    # Both replicas took a fair share (round-robin).
    assert len(result["by_replica"]) == 2 and min(result["by_replica"].values()) >= 60, result
    checked = audit(cluster.database_url, load.sent)
    assert checked.clean and checked.stored == 200, checked.summary()
