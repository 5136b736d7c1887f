"""`make bench`: measure Wegweiser and Rasa's default pipeline on this machine.

Writes docs/benchmarks.md. Trains both models from an empty cache (timed), then
for each: /model/parse latency, REST turn latency and throughput at 1/10/50
concurrent conversations, server RSS, development-set intent accuracy; plus
language-decision accuracy on short messages for our detector vs plain langdetect.
Set BENCH_SKIP_BASELINE=1 to measure only our model.

BENCH_REFERENCE=<git revision> adds an A/B of one conversation's turn latency against
that revision's code and model in the same run: the revision is checked out into a
temporary worktree, trained there, and both servers run side by side while single
turns alternate between them (the order flips every round), so a slower or busier
moment of the machine hits both alike.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import yaml

from bot.languages import SUPPORTED
from bot.nlu.evaluation import SETS, Score, examples, score_language
from bot.nlu.langid import langdetect_probabilities
from bot.paths import PROJECT_ROOT
from tools.processes import (
    ACTION_SERVER,
    BIN,
    RASA_SERVER,
    free_port,
    server_env,
    start,
    stop,
    write_endpoints,
)

SHORT = PROJECT_ROOT / "tests" / "nlu" / "short"
TOKEN = "bench-" + uuid.uuid4().hex
TURNS = [
    "Hallo",
    "Wo ist das Jobcenter in Essen?",
    "أين أتعلم اللغة الألمانية",
    "I want to do an apprenticeship",
    "Dortmund",
    "спасибо большое",
    "Merhaba, iş arıyorum",
    "je cherche un cours d'allemand à Bochum",
]


def log(message: str) -> None:
    """Progress on stderr (a full run takes tens of minutes)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def train(
    config: str,
    name: str,
    out: Path,
    log_dir: Path,
    timeout: float | None = None,
    root: Path = PROJECT_ROOT,
) -> float | None:
    """Train from an empty cache (the project in ``root``); wall seconds, or None on timeout."""
    train_log = log_dir / f"train-{name}.log"
    log(f"training {name} with {config} (progress: {train_log})")
    env = server_env(
        RASA_CACHE_DIRECTORY=tempfile.mkdtemp(prefix="rasa-cache-"), PYTHONPATH=str(root)
    )
    t0 = time.monotonic()
    with train_log.open("wb") as output:
        proc = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "train",
                "--config",
                config,
                "--domain",
                "domain",
                "--data",
                "data/nlu",
                "data/stories",
                "--out",
                str(out),
                "--fixed-model-name",
                name,
            ],
            cwd=root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        log(f"training {name} stopped after {timeout:.0f} s")
        return None
    if code != 0:
        raise RuntimeError(f"rasa train ({config}) failed with exit code {code}")
    return time.monotonic() - t0


def rss_mb(pid: int) -> float:
    """Resident memory of a process tree root in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    """Percentile in milliseconds."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


async def parse_latency(base: str, texts: list[str]) -> list[float]:
    """Sequential /model/parse calls."""
    times = []
    async with aiohttp.ClientSession() as session:
        for text in texts:
            t0 = time.monotonic()
            async with session.post(f"{base}/model/parse?token={TOKEN}", json={"text": text}) as r:
                await r.read()
            times.append(time.monotonic() - t0)
    return times


async def rest_load(base: str, concurrency: int, turns_per_user: int) -> tuple[list[float], float]:
    """`concurrency` conversations, each sending turns one after another."""
    times: list[float] = []

    async def user(session: aiohttp.ClientSession, sender: str) -> None:
        for i in range(turns_per_user):
            t0 = time.monotonic()
            async with session.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": sender, "message": TURNS[i % len(TURNS)]},
            ) as r:
                await r.read()
                assert r.status == 200
            times.append(time.monotonic() - t0)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        t0 = time.monotonic()
        await asyncio.gather(
            *(
                user(session, f"bench-{concurrency}-{n}-{uuid.uuid4().hex[:6]}")
                for n in range(concurrency)
            )
        )
        wall = time.monotonic() - t0
    return times, len(times) / wall


class HttpParser:
    """``parse_message`` over Rasa's HTTP API, for bot.nlu.evaluation."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    async def parse_message(self, message_data: str) -> dict:
        """POST /model/parse."""
        url = f"{self.base}/model/parse?token={TOKEN}"
        async with self.session.post(url, json={"text": message_data}) as r:
            return await r.json()


async def intent_accuracy(base: str) -> float:
    """Development-set intent accuracy over all languages."""
    total = Score()
    async with aiohttp.ClientSession() as session:
        parser = HttpParser(session, base)
        for lang in SUPPORTED:
            total.add(await score_language(parser, examples(SETS["dev"], lang), lang))
    return total.accuracy


def short_messages() -> list[tuple[str, str]]:
    """(text, language) pairs from tests/nlu/short/."""
    return [
        (str(m), lang)
        for lang in SUPPORTED
        for m in yaml.safe_load((SHORT / f"{lang}.yml").read_text("utf-8"))["messages"]
    ]


async def ours_language_accuracy(base: str) -> float:
    """Our detector, through the running server."""
    pairs = short_messages()
    right = 0
    async with aiohttp.ClientSession() as session:
        for text, lang in pairs:
            async with session.post(f"{base}/model/parse?token={TOKEN}", json={"text": text}) as r:
                right += ((await r.json()).get("language") or {}).get("code") == lang
    return right / len(pairs)


def langdetect_accuracy() -> float:
    """Plain langdetect (seeded), top guess."""
    pairs = short_messages()
    right = 0
    for text, lang in pairs:
        probs = langdetect_probabilities(text)
        right += bool(probs) and max(probs, key=probs.get) == lang
    return right / len(pairs)


def start_server(
    root: Path, model: Path, action_url: str, log_dir: Path, name: str
) -> tuple[subprocess.Popen[bytes], str]:
    """A Rasa server with the code in ``root`` on ``model``; the process and its base URL.

    Older revisions have no ``bot.rasa_server`` entry point (their patches load with
    their NLU components): those run under the plain ``rasa`` command.
    """
    entry = RASA_SERVER if (root / "bot" / "rasa_server.py").exists() else [str(BIN / "rasa")]
    port = free_port()
    endpoints = write_endpoints(
        log_dir / f"endpoints-{name}.yml", action_url, log_dir / f"tracker-{name}.db"
    )
    proc = start(
        [*entry, "run", "--model", str(model), "--enable-api"]
        + ["--interface", "127.0.0.1", "--port", str(port), "--endpoints", str(endpoints)],
        f"http://127.0.0.1:{port}/",
        log_dir / f"{name}.log",
        timeout=300,
        env=server_env(RASA_AUTH_TOKEN=TOKEN, PYTHONPATH=str(root)),
        cwd=root,
    )
    return proc, f"http://127.0.0.1:{port}"


def measure(model: Path, action_url: str, log_dir: Path) -> dict:
    """Start a Rasa server on ``model`` and measure it."""
    log(f"measuring {model.name}")
    # Both models are served by the same server (our patches installed); the baseline
    # differs in its pipeline only. Tracker store as deployed: SQLite with redaction.
    proc, base = start_server(PROJECT_ROOT, model, action_url, log_dir, model.stem)
    try:
        result: dict = {"rss_idle": rss_mb(proc.pid)}
        asyncio.run(parse_latency(base, TURNS * 3))  # warm-up
        parse = asyncio.run(parse_latency(base, TURNS * 25))
        result["parse"] = (pct(parse, 50), pct(parse, 95))
        for concurrency, turns in ((1, 60), (10, 20), (50, 6)):
            times, tps = asyncio.run(rest_load(base, concurrency, turns))
            result[f"rest{concurrency}"] = (pct(times, 50), pct(times, 95), tps)
        result["rss_loaded"] = rss_mb(proc.pid)
        result["accuracy"] = asyncio.run(intent_accuracy(base))
        result["lang_short"] = asyncio.run(ours_language_accuracy(base))
    finally:
        stop(proc)
    return result


async def alternating_turns(bases: list[str], rounds: int) -> list[list[float]]:
    """Latencies of single turns sent to each server in turn (one conversation at a time).

    Never two turns at once; the order of the servers flips every round.
    """
    times: list[list[float]] = [[] for _ in bases]
    senders: list[str] = []
    async with aiohttp.ClientSession() as session:
        for i in range(rounds):
            if i % (2 * len(TURNS)) == 0:
                # A new conversation every 16 turns, as in a real one: a tracker that
                # grows for hundreds of turns would measure its own loading instead.
                senders = [f"ab-{n}-{uuid.uuid4().hex[:6]}" for n in range(len(bases))]
            order = list(range(len(bases)))
            if i % 2:
                order.reverse()
            for n in order:
                t0 = time.monotonic()
                async with session.post(
                    f"{bases[n]}/webhooks/rest/webhook",
                    json={"sender": senders[n], "message": TURNS[i % len(TURNS)]},
                ) as r:
                    await r.read()
                    assert r.status == 200
                times[n].append(time.monotonic() - t0)
    return times


def reference_ab(revision: str, ours: Path, action_url: str, out: Path, log_dir: Path) -> dict:
    """One conversation's turn latency: our code and model against ``revision``'s."""
    root = Path(tempfile.mkdtemp(prefix="bench-reference-")) / "project"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(root), revision],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        train("config.yml", "reference", out, log_dir, root=root)
        ref_port = free_port()
        # The reference's own actions, served by the plain rasa-sdk server.
        procs.append(
            start(
                [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions"]
                + ["--port", str(ref_port)],
                f"http://127.0.0.1:{ref_port}/health",
                log_dir / "reference-actions.log",
                env=server_env(PYTHONPATH=str(root)),
                cwd=root,
            )
        )
        ref_url = f"http://127.0.0.1:{ref_port}/webhook"
        ours_proc, ours_base = start_server(PROJECT_ROOT, ours, action_url, log_dir, "ab-ours")
        procs.append(ours_proc)
        ref_model = out / "reference.tar.gz"
        ref_proc, ref_base = start_server(root, ref_model, ref_url, log_dir, "ab-ref")
        procs.append(ref_proc)
        asyncio.run(alternating_turns([ours_base, ref_base], len(TURNS) * 2))  # warm-up
        ours_times, ref_times = asyncio.run(alternating_turns([ours_base, ref_base], 320))
        return {
            "revision": revision,
            "commit": commit,
            "ours": (pct(ours_times, 50), pct(ours_times, 95)),
            "reference": (pct(ref_times, 50), pct(ref_times, 95)),
            "rss": (rss_mb(ours_proc.pid), rss_mb(ref_proc.pid)),
            "turns": len(ours_times),
        }
    finally:
        for proc in procs:
            stop(proc)
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(root)], cwd=PROJECT_ROOT, check=False
        )


def report_reference(ab: dict) -> list[str]:
    """The A/B section of docs/benchmarks.md."""
    ours, ref = ab["ours"], ab["reference"]
    change = (ours[0] - ref[0]) / ref[0] * 100 if ref[0] else 0.0
    return [
        f"## One conversation: this code against {ab['revision']} ({ab['commit']})",
        "",
        f"Both servers ran side by side in this run, each on its own code and model (the "
        f"reference trained from its own checkout); {ab['turns']} single turns each, "
        "alternating between them with the order flipped every round, never two at once. "
        "Latency in ms, RSS after the turns.",
        "",
        "| code | REST 1 conv p50/p95 | RSS (MiB) |",
        "|---|---|---|",
        f"| this checkout | {ours[0]:.0f} / {ours[1]:.0f} | {ab['rss'][0]:.0f} |",
        f"| {ab['revision']} | {ref[0]:.0f} / {ref[1]:.0f} | {ab['rss'][1]:.0f} |",
        "",
        f"p50 change: {change:+.1f} %.",
        "",
    ]


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


BASELINE_NAME = "Rasa default pipeline"
OURS_NAME = "Wegweiser (config.yml)"


def fmt_load(load: tuple[float, float, float]) -> str:
    """A load average as '1.0 / 0.8 / 0.5'."""
    return " / ".join(f"{x:.1f}" for x in load)


def report(
    rows: dict[str, dict],
    notes: list[str],
    load_before,
    langdetect: float,
    ab: dict | None = None,
) -> str:
    """The text of docs/benchmarks.md for the rows measured so far."""
    n_short = len(short_messages())
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today().isoformat()} by `make bench` on this machine: "
        f"{os.cpu_count()} cores ({cpu_model()}), "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB RAM, "
        f"Python {platform.python_version()}. One run; the client runs on the same 2 cores, "
        "so the numbers include its load. Load average (1/5/15 min) before the run: "
        f"{fmt_load(load_before)}, when this was written: {fmt_load(os.getloadavg())} "
        "(above 2 means other work shared the cores).",
        "",
        "Both models are trained on the same data (data/nlu, data/stories) from an empty "
        "Rasa cache. REST turns go through the real action server and the tracker store as "
        "deployed (SQLite with redaction). Latency in ms.",
        "",
        "| model | train (s) | parse p50/p95 | REST 1 conv p50/p95 | "
        "REST 10 conv p50/p95, turns/s | REST 50 conv p50/p95, turns/s | "
        "RSS idle/after (MiB) | dev-set intent acc. | short-msg language acc. |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        if "parse" not in r:
            lines.append(f"| {name} | {r['note']} | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {r['train']:.0f} | {r['parse'][0]:.0f} / {r['parse'][1]:.0f} | "
            f"{r['rest1'][0]:.0f} / {r['rest1'][1]:.0f} | "
            f"{r['rest10'][0]:.0f} / {r['rest10'][1]:.0f}, {r['rest10'][2]:.1f} | "
            f"{r['rest50'][0]:.0f} / {r['rest50'][1]:.0f}, {r['rest50'][2]:.1f} | "
            f"{r['rss_idle']:.0f} / {r['rss_loaded']:.0f} | {r['accuracy']:.3f} | "
            + (f"{r['lang_short']:.3f} |" if name == OURS_NAME else "– |")
        )
    lines += [
        "",
        "## Language decision on short messages (1–4 words)",
        "",
        f"{n_short} messages from tests/nlu/short/ (8 languages).",
        "",
        "| detector | accuracy |",
        "|---|---|",
    ]
    if OURS_NAME in rows and "lang_short" in rows[OURS_NAME]:
        lines.append(
            "| Wegweiser LanguageDetector (script rules + own char n-gram model + "
            f"minimum evidence) | {rows[OURS_NAME]['lang_short']:.3f} |"
        )
    lines += [f"| plain langdetect 1.0.9 (seeded, top guess) | {langdetect:.3f} |", ""]
    if ab:
        lines += report_reference(ab)
    lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def main() -> int:
    """Run everything and write docs/benchmarks.md (after each model, so a partial run counts)."""
    load_before = os.getloadavg()
    baseline_timeout = float(os.environ.get("BENCH_BASELINE_TIMEOUT_MIN", "75")) * 60
    out = Path(tempfile.mkdtemp(prefix="bench-models-"))
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    target = PROJECT_ROOT / "docs" / "benchmarks.md"
    ld = langdetect_accuracy()
    notes = [
        "Development-set intent accuracy: tests/nlu/dev/ (8+ phrasings per intent and "
        "language, not copied from training). Its misses guided later additions to the "
        "training data, so it has served as a development set and overstates accuracy on "
        "truly unseen messages somewhat.",
        "The baseline has no language detector: it answers in the language of the "
        "`language` slot only when another part sets it, so its language column is left empty.",
        "Both servers use the same domain, actions and endpoints (selective domain on). "
        "Both run under `python -m bot.rasa_server` with the patches of bot/patches/, so "
        "the difference is the pipeline and policies only.",
        "The staff console's benchmark (100,000 conversations on SQLite and PostgreSQL) is "
        "`make bench-console`, written to [benchmarks-console.md](benchmarks-console.md).",
    ]
    action_port = free_port()
    actions = start(
        [*ACTION_SERVER, "--port", str(action_port)],
        f"http://127.0.0.1:{action_port}/health",
        logs / "actions.log",
    )
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    rows: dict[str, dict] = {}
    ab: dict | None = None
    reference = os.environ.get("BENCH_REFERENCE")
    try:
        train_ours = train("config.yml", "ours", out, logs)
        rows[OURS_NAME] = {**measure(out / "ours.tar.gz", action_url, logs), "train": train_ours}
        if reference:
            ab = reference_ab(reference, out / "ours.tar.gz", action_url, out, logs)
            target.write_text(report(rows, notes, load_before, ld, ab), encoding="utf-8")
        if os.environ.get("BENCH_SKIP_BASELINE"):
            notes.append("The baseline was skipped (BENCH_SKIP_BASELINE).")
        else:
            rows[BASELINE_NAME] = {"note": "training…"}
            target.write_text(report(rows, notes, load_before, ld, ab), encoding="utf-8")
            train_base = train("bench/baseline_config.yml", "baseline", out, logs, baseline_timeout)
            if train_base is None:
                rows[BASELINE_NAME] = {
                    "note": f"training did not finish within {baseline_timeout / 60:.0f} min"
                }
            else:
                rows[BASELINE_NAME] = {
                    **measure(out / "baseline.tar.gz", action_url, logs),
                    "train": train_base,
                }
    finally:
        stop(actions)
        target.write_text(report(rows, notes, load_before, ld, ab), encoding="utf-8")
    print(target.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
