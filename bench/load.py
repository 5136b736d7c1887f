"""Load and soak over two Rasa replicas behind nginx (tools/cluster.py).

    python -m bench.load                          # 200 x 20 burst, 30 min soak
    python -m bench.load --soak-minutes 5         # what docs/reliability.md reports
    python -m bench.load --conversations 40 --turns 5 --soak-minutes 0   # quick look

1. Burst: ``--conversations`` conversations at once, each ``--turns`` turns (a turn
   waits for its answer, as a person does), all through nginx (round-robin).
   Between a reply and the next message a conversation pauses ``--think-seconds`` on
   average (uniform 0..2x; 0 sends back to back, which only measures saturation).
2. Soak: ``--soak-conversations`` conversations at a time for ``--soak-minutes``; each
   conversation that ends is replaced by a new one. Resident memory of every service
   is sampled every ``--sample-seconds``.
3. Audit: every message sent is checked against the PostgreSQL tracker store (lost,
   duplicated, reordered, interleaved, half-written: tools/traffic.py).

Writes the numbers as JSON (``--json``) and a Markdown table (``--markdown``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

from bench.run import cpu_model
from bot.paths import PROJECT_ROOT
from tools.cluster import Cluster
from tools.traffic import Turn, audit, percentile, send, tagged

MARKDOWN = PROJECT_ROOT / "docs" / "reliability-load.md"


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


async def soak(
    load: Load,
    cluster: Cluster,
    conversations: int,
    turns: int,
    minutes: float,
    sample_seconds: float,
) -> dict:
    """Keep ``conversations`` running for ``minutes``; sample memory meanwhile."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    before = len(load.turns)
    deadline = time.monotonic() + minutes * 60
    samples: list[dict] = []
    started = time.monotonic()

    async def sampler() -> None:
        while time.monotonic() < deadline:
            samples.append(
                {
                    "t_s": round(time.monotonic() - started),
                    **{k: v // 1024 for k, v in cluster.memory_kib().items()},
                }
            )
            await asyncio.sleep(sample_seconds)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def lane() -> None:
            while time.monotonic() < deadline:
                await load.conversation(session, turns)

        await asyncio.gather(sampler(), *(lane() for _ in range(conversations)))
    samples.append(
        {
            "t_s": round(time.monotonic() - started),
            **{k: v // 1024 for k, v in cluster.memory_kib().items()},
        }
    )
    done = load.turns[before:]
    took = time.monotonic() - started
    return {
        "minutes": minutes,
        "conversations_at_once": conversations,
        "turns_each": turns,
        "turns_per_second": round(len(done) / took, 1) if took else 0,
        **latency_summary(done),
        "memory_mib": samples,
        "memory_growth_second_half_mib": growth(samples),
    }


def growth(samples: list[dict]) -> dict[str, int]:
    """RSS change per service from the middle of the soak to its end (flat: ~0)."""
    if len(samples) < 2:
        return {}
    middle, last = samples[len(samples) // 2], samples[-1]
    return {k: last[k] - middle[k] for k in last if k != "t_s" and k in middle}


def markdown(result: dict) -> str:
    """The report section docs/reliability.md links to."""
    b, s, a = result["burst"], result.get("soak"), result["audit"]
    lines = [
        "# Load and soak over two replicas (generated by `make bench-load`)",
        "",
        f"Run {result['date']} on {result['machine']} ({result['cores']} cores, shared).",
        f"Command: `{result['command']}`.",
        "",
        "| phase | conversations | turns | errors | apologies | p50 s | p95 s | p99 s | turns/s "
        "| turns per replica |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| burst | {b['conversations']} x {b['turns_each']} | {b['turns']} | {b['errors']} "
        f"| {b['apologies']} "
        f"| {b['p50_s']} | {b['p95_s']} | {b['p99_s']} | {b['turns_per_second']} "
        f"| {', '.join(f'{v}' for v in b['by_replica'].values())} |",
    ]
    if s:
        lines.append(
            f"| soak {s['minutes']} min | {s['conversations_at_once']} at a time x "
            f"{s['turns_each']} | {s['turns']} | {s['errors']} | {s['apologies']} "
            f"| {s['p50_s']} | {s['p95_s']} "
            f"| {s['p99_s']} | {s['turns_per_second']} "
            f"| {', '.join(f'{v}' for v in s['by_replica'].values())} |"
        )
    lines += [
        "",
        "Tracker store audit (every message sent, checked in PostgreSQL): "
        + ", ".join(f"{k} {v}" for k, v in a.items())
        + ".",
    ]
    if s and s["memory_mib"]:
        names = [k for k in s["memory_mib"][0] if k != "t_s"]
        lines += [
            "",
            "Resident memory (MiB) during the soak:",
            "",
            "| t (s) | " + " | ".join(names) + " |",
            "|---" * (len(names) + 1) + "|",
        ]
        lines += [
            f"| {row['t_s']} | " + " | ".join(str(row.get(n, "")) for n in names) + " |"
            for row in s["memory_mib"]
        ]
        lines += [
            "",
            "Growth from the middle of the soak to its end (MiB): "
            + ", ".join(f"{k} {v:+d}" for k, v in s["memory_growth_second_half_mib"].items())
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Start the cluster, run burst + soak, audit, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--soak-minutes", type=float, default=30.0)
    parser.add_argument("--soak-conversations", type=int, default=20)
    parser.add_argument("--soak-turns", type=int, default=10)
    parser.add_argument("--sample-seconds", type=float, default=30.0)
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=2.0,
        help="mean pause between a reply and the next message (0: back to back)",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--markdown", type=Path, default=MARKDOWN)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wegweiser-load-") as tmp:
        with Cluster(Path(tmp)) as cluster:
            load = Load(cluster.proxy_url, f"load-{uuid.uuid4().hex[:6]}", args.think_seconds)
            memory_start = {k: v // 1024 for k, v in cluster.memory_kib().items()}
            result: dict = {
                "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{cpu_model()}, {platform.system()} {platform.release()}",
                "cores": os.cpu_count(),
                "command": "python -m bench.load "
                + " ".join(
                    f"--{k.replace('_', '-')} {v}"
                    for k, v in vars(args).items()
                    if k not in ("json", "markdown")
                ),
                "memory_start_mib": memory_start,
            }
            print("burst ...", flush=True)
            result["burst"] = asyncio.run(burst(load, args.conversations, args.turns))
            print(json.dumps(result["burst"]), flush=True)
            if args.soak_minutes > 0:
                print(f"soak {args.soak_minutes} min ...", flush=True)
                result["soak"] = asyncio.run(
                    soak(
                        load,
                        cluster,
                        args.soak_conversations,
                        args.soak_turns,
                        args.soak_minutes,
                        args.sample_seconds,
                    )
                )
            result["audit"] = audit(cluster.database_url, load.sent).summary()
            print(json.dumps(result["audit"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if args.markdown:
        args.markdown.write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
