"""Faults under the cluster: the person always gets an answer, nothing is lost or half-written.

Each test breaks one part for real (stops or freezes the action server, kills a Rasa
replica, restarts PostgreSQL or Redis, makes the messenger platform fail) and puts it
back in a ``finally`` block, so the next test finds the cluster whole.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from bot.patches.action_failure import numbers
from tests.channels.test_telegram import new_chat, text_update
from tests.helpers import texts
from tests.ops.conftest import FlakyTelegram, post_telegram, say
from tests.stack import essen_jobcenter_phones
from tools.cluster import Cluster
from tools.traffic import Turn, audit, send, tagged

pytestmark = [pytest.mark.ops, pytest.mark.server]

#: A question answered by a custom action (the office finder).
QUESTION = "Wo ist das Jobcenter in Essen?"
#: The machine's PostgreSQL cluster (Debian: /etc/postgresql/<version>/main).
PG_VERSION = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
PG_CTL = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main"]
REDIS_START = [
    *("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379"),
    *("--save", "", "--appendonly", "no", "--dir", "/var/lib/redis"),
    *("--logfile", "/var/log/redis/ci.log"),
]


def kind_reply(turn: Turn) -> bool:
    """One technical-problem reply with the nationwide numbers (one, not one per action)."""
    text = "\n".join(turn.replies)
    return len(turn.replies) == 1 and all(number in text for number in numbers().values())


def office_answer(turn: Turn) -> bool:
    """The office finder's answer for Essen's Jobcenter."""
    return any(p in "\n".join(turn.replies) for p in essen_jobcenter_phones())


def test_action_server_down_gives_a_kind_reply_fast_then_recovers(cluster: Cluster):
    sender = f"ops-down-{uuid.uuid4().hex[:8]}"
    assert office_answer(say(cluster.proxy_url, sender, QUESTION))
    cluster.stop_actions()
    try:
        for _ in range(2):  # both replicas
            turn = say(cluster.proxy_url, sender, QUESTION)
            assert turn.status == 200 and turn.seconds < 2.0, turn
            assert kind_reply(turn), turn.replies
            print(f"action server down: kind reply in {turn.seconds:.2f} s")
    finally:
        cluster.start_actions()
    for _ in range(2):
        assert office_answer(say(cluster.proxy_url, sender, QUESTION))


def test_action_server_slow_gives_a_kind_reply_within_2s_then_recovers(cluster: Cluster):
    sender = f"ops-slow-{uuid.uuid4().hex[:8]}"
    cluster.pause_actions()  # accepts connections, answers nothing: slower than any timeout
    try:
        turn = say(cluster.proxy_url, sender, QUESTION)
        assert turn.status == 200 and turn.seconds < 2.0, turn
        assert kind_reply(turn), turn.replies
        print(f"action server frozen: kind reply in {turn.seconds:.2f} s")
    finally:
        cluster.resume_actions()
    assert office_answer(say(cluster.proxy_url, sender, QUESTION))


def test_replica_killed_mid_conversation_the_other_continues_it(cluster: Cluster):
    sender = f"ops-kill-{uuid.uuid4().hex[:8]}"
    first = say(cluster.proxy_url, sender, "Ich suche das Jobcenter")
    assert first.replies and first.replies[0] in texts("de", "utter_ask_city")
    victim = next(r for r in cluster.replicas if r.upstream == first.upstream)
    cluster.kill_replica(victim)
    try:
        second = say(cluster.proxy_url, sender, "Essen")
        assert second.status == 200 and second.upstream.endswith(
            next(r.upstream for r in cluster.replicas if r is not victim)
        ), second
        assert office_answer(second), second.replies  # the office type survived the crash
        print(f"replica killed: next turn answered by the other in {second.seconds:.2f} s")
        for _ in range(3):  # nginx keeps routing around the dead replica: no errors
            assert say(cluster.proxy_url, sender, "Danke").ok
    finally:
        cluster.restart_replica(victim)
    assert say(victim.url, sender, QUESTION).ok


def turns_during(cluster: Cluster, outage, prefix: str, conversations: int = 4) -> tuple:
    """Send turns continuously from ``conversations`` conversations while ``outage`` runs.

    Returns (what was sent, every turn, seconds the outage took). Turns keep coming for
    a few seconds after the outage ended.
    """

    async def run():
        import aiohttp

        done = threading.Event()
        took: list[float] = []

        def break_it() -> None:
            started = time.monotonic()
            try:
                outage()
            finally:
                took.append(time.monotonic() - started)
                done.set()

        sent: dict[str, list[list[str]]] = {}
        turns: list[Turn] = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

            async def talk(index: int) -> None:
                sender = f"{prefix}-{index}"
                sent[sender] = []
                turn = 0
                after = None
                while after is None or time.monotonic() < after:
                    text = tagged(index, turn)
                    sent[sender].append([text])
                    turns.append(await send(session, cluster.proxy_url, sender, text))
                    turn += 1
                    if done.is_set() and after is None:
                        after = time.monotonic() + 3

            thread = threading.Thread(target=break_it)
            await asyncio.sleep(0.5)
            thread.start()
            await asyncio.gather(*(talk(i) for i in range(conversations)))
            thread.join()
        return sent, turns, took[0]

    return asyncio.run(run())


def check_outage(cluster: Cluster, sent: dict, turns: list[Turn]) -> None:
    """Every turn got a reply or an error status; the store holds answered turns whole."""
    result = audit(cluster.database_url, sent)
    assert not result.duplicated and not result.reordered and not result.interleaved, result
    assert not result.incomplete, result.incomplete  # no half-written turn
    answered = {t.text.rsplit(" ", 1)[-1] for t in turns if t.ok}
    lost = [tag for tag in result.lost if tag.rsplit(" ", 1)[-1] in answered]
    assert not lost, lost  # nothing that was answered is missing
    silent = [t for t in turns if t.status == 200 and not t.ok]
    assert not silent, silent  # no empty reply: a kind one, or the request waited
    # Everything recovered without restarting our services.
    for sender in sent:
        assert say(cluster.proxy_url, sender, QUESTION).ok


def test_postgres_restart_turns_wait_or_fail_kindly_and_recover(cluster: Cluster):
    def restart() -> None:
        subprocess.run([*PG_CTL, "restart"], check=True, capture_output=True, timeout=120)

    try:
        sent, turns, took = turns_during(cluster, restart, f"ops-pg-{uuid.uuid4().hex[:6]}")
    finally:
        # Whatever happened, PostgreSQL must be running for everyone else.
        subprocess.run([*PG_CTL, "start"], capture_output=True, timeout=120)
    print(
        f"PostgreSQL restart took {took:.1f} s; {len(turns)} turns, "
        f"{sum(t.ok for t in turns)} answered, slowest {max(t.seconds for t in turns):.1f} s"
    )
    check_outage(cluster, sent, turns)


def test_redis_restart_turns_wait_and_recover(cluster: Cluster):
    def restart() -> None:
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=30)
        time.sleep(2)  # an outage long enough for turns to hit it
        subprocess.run(REDIS_START, check=True, capture_output=True, timeout=30)

    try:
        sent, turns, took = turns_during(cluster, restart, f"ops-redis-{uuid.uuid4().hex[:6]}")
    finally:
        try:
            redis.Redis().ping()
        except redis.RedisError:
            subprocess.run(REDIS_START, capture_output=True, timeout=30)
    print(
        f"Redis outage {took:.1f} s; {len(turns)} turns, {sum(t.ok for t in turns)} answered, "
        f"slowest {max(t.seconds for t in turns):.1f} s"
    )
    assert all(t.ok for t in turns), [t for t in turns if not t.ok][:3]  # they waited
    check_outage(cluster, sent, turns)


def test_messenger_platform_5xx_is_retried_with_backoff(
    cluster: Cluster, fake_telegram: FlakyTelegram
):
    chat = new_chat()
    fake_telegram.fail_next(chat, 2)  # two 500s, then the platform is back
    status, _ = post_telegram(cluster, text_update(chat, "Ich suche das Jobcenter"))
    assert status == 200  # acknowledged at once; the reply follows in the background
    fake_telegram.wait_for(lambda _: fake_telegram.sent(chat), timeout=60)
    attempts = fake_telegram.attempts(chat)
    assert [status for status, _ in attempts] == [500, 500, 200], attempts
    pauses = [b - a for (_, a), (_, b) in zip(attempts, attempts[1:])]
    assert all(p >= 0.2 for p in pauses) and pauses[1] > pauses[0] * 0.9, pauses  # backoff
    [reply] = fake_telegram.sent(chat)
    assert reply["text"] in texts("de", "utter_ask_city")
