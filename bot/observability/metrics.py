"""Prometheus metrics of the Rasa server: turns, latency, fallbacks, action errors.

Labels are bounded and carry no personal data: the channel name (from a fixed list),
the conversation language (one of ours, or ``none``), the outcome, the action name.
With several Sanic workers in one container set ``PROMETHEUS_MULTIPROC_DIR`` so that
``/metrics`` reports all workers (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from bot.languages import SUPPORTED

#: Channels we run; anything else (a client-chosen name) is counted as "other".
CHANNELS = frozenset(
    {"rest", "socketio", "telegram", "facebook", "twilio", "whatsapp", "cmdline", "collector"}
)

TURNS = Counter(
    "wegweiser_turns_total",
    "User messages handled, by channel, conversation language and outcome "
    "(answered, fallback = not understood, error = no reply could be produced).",
    ["channel", "language", "outcome"],
)
TURN_SECONDS = Histogram(
    "wegweiser_turn_seconds",
    "Time from receiving a user message to the saved turn.",
    ["channel"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0),
)
ACTION_ERRORS = Counter(
    "wegweiser_action_errors_total",
    "Custom actions that failed or timed out (the person got utter_technical_problem).",
    ["action", "reason"],
)


def channel_label(name: str | None) -> str:
    """A bounded channel label."""
    return name if name in CHANNELS else "other"


def language_label(code: object) -> str:
    """A bounded language label."""
    return code if isinstance(code, str) and code in SUPPORTED else "none"


def observe_turn(channel: str | None, language: object, outcome: str, seconds: float) -> None:
    """Count one handled user message."""
    TURNS.labels(channel_label(channel), language_label(language), outcome).inc()
    TURN_SECONDS.labels(channel_label(channel)).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The current metrics in Prometheus' text format, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
