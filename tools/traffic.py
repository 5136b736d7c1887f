"""Conversations sent over REST, and an audit of what the tracker store kept of them.

Used by tests/ops and bench/ (load, lock race). Every message carries a unique tag
(``[c<conversation>t<turn>]``, which the redaction leaves alone), so the audit can match
each stored ``user`` event to the message that was sent:

- *lost*: sent (and answered 200) but not stored;
- *duplicated*: stored more than once;
- *reordered*: stored out of the order it was sent (messages sent at the same moment,
  a "group", may be stored in either order, but every group after the one before);
- *interleaved*: a turn's events mixed with another turn's (a ``user`` event before
  the previous turn's closing ``action_listen``): two turns ran at once;
- *incomplete*: a conversation whose last turn has no closing ``action_listen``
  (half-written).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import sqlalchemy as sa

TAG = re.compile(r"\[c\d+t\d+\]")
#: Questions a person asks, in turn; each conversation cycles through them.
SCRIPT = (
    "Ich suche das Jobcenter",
    "Essen",
    "Wo ist die Ausländerbehörde in Bochum?",
    "Danke",
    "Hallo",
    "Ich brauche einen Deutschkurs",
    "Wo ist das Jobcenter in Dortmund?",
    "Tschüss",
)


def tagged(conversation: int, turn: int) -> str:
    """The ``turn``-th message of a conversation, with its unique tag."""
    return f"{SCRIPT[turn % len(SCRIPT)]} [c{conversation}t{turn}]"


@dataclass
class Turn:
    """What happened to one message sent over REST."""

    sender: str
    text: str
    status: int
    replies: list[str]
    upstream: str
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        """Answered 200 with at least one non-empty reply."""
        return self.status == 200 and any(r.strip() for r in self.replies)

    @property
    def apologised(self) -> bool:
        """Answered with the technical-problem reply (a custom action failed or was slow)."""
        return any(r.startswith(apology_openings()) for r in self.replies)


@functools.lru_cache(maxsize=1)
def apology_openings() -> tuple[str, ...]:
    """How ``utter_technical_problem`` begins in each language (up to its first number)."""
    from bot.languages import SUPPORTED
    from bot.responses import language_file

    openings = []
    for code in SUPPORTED:
        for variant in language_file(code)["responses"]["utter_technical_problem"]:
            openings.append(variant["text"].split("{", 1)[0][:40])
    return tuple(openings)


async def send(
    session: aiohttp.ClientSession, base: str, sender: str, text: str, **metadata: str
) -> Turn:
    """POST one message to the REST channel at ``base``; never raises."""
    start = time.perf_counter()
    body: dict = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    try:
        async with session.post(f"{base}/webhooks/rest/webhook", json=body) as resp:
            payload = await resp.json(content_type=None) if resp.status == 200 else []
            replies = [m.get("text") or json.dumps(m.get("custom") or "") for m in payload]
            upstream = resp.headers.get("X-Wegweiser-Upstream", "")
            return Turn(sender, text, resp.status, replies, upstream, time.perf_counter() - start)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return Turn(sender, text, 0, [], "", time.perf_counter() - start, repr(error))


@dataclass
class Audit:
    """The tracker store against what was sent (see module docstring)."""

    sent: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    reordered: list[str] = field(default_factory=list)
    interleaved: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing lost, duplicated, reordered, interleaved or half-written."""
        return not (
            self.lost or self.duplicated or self.reordered or self.interleaved or self.incomplete
        )

    def summary(self) -> dict[str, int]:
        """Counts for reports."""
        return {
            "sent": self.sent,
            "stored": self.stored,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "reordered": len(self.reordered),
            "interleaved": len(self.interleaved),
            "incomplete": len(self.incomplete),
        }


def stored_events(database_url: str, senders: list[str]) -> dict[str, list[tuple[str, dict]]]:
    """(type_name, event) per sender, in the order the tracker store keeps them (by id)."""
    engine = sa.create_engine(database_url)
    out: dict[str, list[tuple[str, dict]]] = {s: [] for s in senders}
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, data FROM events "
                    "WHERE sender_id = ANY(:senders) ORDER BY id"
                ),
                {"senders": senders},
            )
            for sender, type_name, data in rows:
                out[sender].append((type_name, json.loads(data)))
    finally:
        engine.dispose()
    return out


def audit(database_url: str, sent: dict[str, list[list[str]]]) -> Audit:
    """Compare the tracker store with ``sent``: per sender, groups of messages in send order."""
    result = Audit()
    events = stored_events(database_url, list(sent))
    for sender, groups in sent.items():
        tags = [[TAG.search(text).group() for text in group] for group in groups]  # type: ignore[union-attr]
        expected = [tag for group in tags for tag in group]
        result.sent += len(expected)
        order: list[str] = []
        open_turn = False
        for type_name, event in events[sender]:
            if type_name == "user":
                match = TAG.search(event.get("text") or "")
                if match is None:
                    continue  # not one of ours (e.g. a /greet of the widget)
                if open_turn:
                    result.interleaved.append(f"{sender} {match.group()}")
                order.append(match.group())
                open_turn = True
            elif type_name == "action" and event.get("name") == "action_listen":
                open_turn = False
        if open_turn:
            result.incomplete.append(f"{sender} {order[-1]}")
        result.stored += len(order)
        counts = Counter(order)
        result.lost += [f"{sender} {t}" for t in expected if counts[t] == 0]
        result.duplicated += [f"{sender} {t}" for t, n in counts.items() if n > 1]
        # Each stored tag must belong to a group no earlier than the previous tag's group.
        group_of = {tag: index for index, group in enumerate(tags) for tag in group}
        last = -1
        for tag in dict.fromkeys(order):
            index = group_of.get(tag, -1)
            if index < last:
                result.reordered.append(f"{sender} {tag}")
            last = max(last, index)
    return result


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values`` by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


async def race(
    replica_urls: list[str], conversations: int, pairs: int, prefix: str, timeout: float = 300
) -> tuple[dict[str, list[list[str]]], list[Turn]]:
    """Turns of the same conversation sent to two replicas at the same moment.

    Every conversation sends ``pairs`` pairs of messages; the two messages of a pair go
    out together, one to each replica, and the next pair only after both were
    answered. All conversations run at once. Returns what was sent (for
    :func:`audit`) and every turn's outcome.
    """
    sent: dict[str, list[list[str]]] = {}
    turns: list[Turn] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as session:

        async def one(index: int) -> None:
            sender = f"{prefix}-{index}"
            sent[sender] = []
            for pair in range(pairs):
                texts = [tagged(index, 2 * pair), tagged(index, 2 * pair + 1)]
                sent[sender].append(texts)
                turns.extend(
                    await asyncio.gather(
                        *(send(session, url, sender, t) for url, t in zip(replica_urls, texts))
                    )
                )

        await asyncio.gather(*(one(i) for i in range(conversations)))
    return sent, turns


class Load:
    """Conversations through the proxy, with every turn recorded."""

    def __init__(self, base: str, prefix: str, think_seconds: float = 0.0) -> None:
        self.base = base
        self.prefix = prefix
        self.think_seconds = think_seconds
        self.random = random.Random(13)
        self.sent: dict[str, list[list[str]]] = {}
        self.turns: list[Turn] = []
        self.count = 0

    async def conversation(self, session: aiohttp.ClientSession, turns: int) -> None:
        """One conversation of ``turns`` turns, one after the other."""
        index = self.count
        self.count += 1
        sender = f"{self.prefix}-{index}"
        self.sent[sender] = []
        for turn in range(turns):
            if turn and self.think_seconds:
                # A person reads the answer and types: uniform 0..2x the mean.
                await asyncio.sleep(self.random.uniform(0, 2 * self.think_seconds))
            text = tagged(index, turn)
            self.sent[sender].append([text])
            self.turns.append(await send(session, self.base, sender, text))


def latency_summary(turns: list[Turn]) -> dict:
    """p50/p95/p99/max in seconds, errors and which replica answered."""
    seconds = [t.seconds for t in turns]
    return {
        "turns": len(turns),
        "errors": sum(not t.ok for t in turns),
        # Answered, but with the technical-problem reply (custom action over its time limit).
        "apologies": sum(t.ok and t.apologised for t in turns),
        "p50_s": round(percentile(seconds, 0.50), 3),
        "p95_s": round(percentile(seconds, 0.95), 3),
        "p99_s": round(percentile(seconds, 0.99), 3),
        "max_s": round(max(seconds, default=0.0), 3),
        "by_replica": dict(Counter(t.upstream for t in turns)),
        "error_examples": [
            {"status": t.status, "error": t.error, "replies": t.replies[:1]}
            for t in turns
            if not t.ok
        ][:5],
    }


async def burst(load: Load, conversations: int, turns: int) -> dict:
    """All conversations at once; returns the latency summary and throughput."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    before = len(load.turns)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(load.conversation(session, turns) for _ in range(conversations)))
    took = time.monotonic() - started
    done = load.turns[before:]
    return {
        "conversations": conversations,
        "turns_each": turns,
        "seconds": round(took, 1),
        "turns_per_second": round(len(done) / took, 1),
        **latency_summary(done),
    }
