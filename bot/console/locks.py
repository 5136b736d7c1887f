"""The per-conversation lock Rasa holds while it handles a message, taken by the console.

Why: an admin deletion that runs while Rasa is in the middle of a turn would be undone by
that turn's write. Rasa saves a turn while holding the conversation's lock from the lock
store in the endpoints file; the console takes the same lock (same store class, same key
prefix) before it deletes, so the two cannot interleave.

With the default ``in_memory`` lock store the lock lives inside the one Rasa process and no
other process can take it; the console then only serialises its own deletions (that setup
is a single machine, where "delete my data" goes through Rasa itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

#: How long the console holds the lock at most (a deletion takes milliseconds) and how
#: often it looks again while a turn is being handled.
LOCK_LIFETIME = 60.0
POLL_SECONDS = 0.1

_stores: dict[str, Any] = {}
#: sender id -> (lock, number of holders and waiters); dropped when nobody needs it.
_local: dict[str, tuple[asyncio.Lock, int]] = {}


def _lock_store(config: dict[str, Any]) -> Any:
    """Rasa's lock store for this endpoints section, created once per configuration."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key not in _stores:
        # Imported here: only deployments with a shared lock store pay for Rasa's import.
        from rasa.core.lock_store import LockStore
        from rasa.utils.endpoints import EndpointConfig

        _stores[key] = LockStore.create(EndpointConfig.from_dict(dict(config)))
    return _stores[key]


def is_shared(config: dict[str, Any] | None) -> bool:
    """Whether the configured lock store is reachable from other processes (not in_memory)."""
    return bool(config) and (config or {}).get("type", "in_memory") not in (None, "in_memory")


@contextlib.asynccontextmanager
async def conversation_lock(config: dict[str, Any] | None, sender_id: str) -> AsyncIterator[None]:
    """Hold the conversation's lock (from the ``lock_store`` endpoints section) meanwhile."""
    if not is_shared(config):
        lock, users = _local.get(sender_id) or (asyncio.Lock(), 0)
        _local[sender_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = _local[sender_id]
            if users == 1:
                del _local[sender_id]
            else:
                _local[sender_id] = (lock, users - 1)
        return
    store = _lock_store(config or {})
    async with store.lock(
        sender_id, lock_lifetime=LOCK_LIFETIME, wait_time_in_seconds=POLL_SECONDS
    ):
        yield
