"""Outgoing messenger calls: bounded retries with backoff, bounded work in flight.

The end-to-end case (Telegram answering 500 twice through the cluster) is in
test_faults.py; these pin the limits.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.channels import webhook
from bot.channels.telegram import TelegramInput

pytestmark = pytest.mark.ops


def test_backoff_grows_is_jittered_and_capped():
    for attempt, low, high in ((1, 0.25, 0.5), (2, 0.5, 1.0), (3, 1.0, 2.0), (9, 2.0, 4.0)):
        delays = [webhook.retry_delay(attempt) for _ in range(200)]
        assert low <= min(delays) and max(delays) <= high, (attempt, min(delays), max(delays))
        assert len(set(delays)) > 100  # jittered: replicas do not retry in lockstep


def test_retry_after_is_honoured_but_capped():
    assert webhook.retry_after("2", 0.3) == 2.0
    assert webhook.retry_after("3600", 0.3) == webhook.RETRY_MAX_SECONDS
    assert webhook.retry_after(None, 0.3) == 0.3
    assert webhook.retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 0.3) == 0.3


def test_work_in_flight_is_bounded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(webhook, "MAX_PENDING", 3)
    channel = TelegramInput(access_token=None, secret_token=None)
    started = []

    async def handle(index: int) -> None:
        started.append(index)
        await asyncio.sleep(0.2)

    async def run() -> None:
        for index in range(5):
            channel.in_background(handle(index), "a message")
        assert len(channel._tasks) == 3
        await asyncio.sleep(0.4)
        assert not channel._tasks  # done tasks are released
        channel.in_background(handle(9), "a message")  # room again
        await asyncio.sleep(0.3)

    asyncio.run(run())
    assert started == [0, 1, 2, 9]
