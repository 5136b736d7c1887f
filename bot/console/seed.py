"""Tracker-store rows shaped exactly as Rasa 3.6's SQLTrackerStore writes them.

Used by the console tests and ``bench/console.py``; the JSON mirrors ``Event.as_dict()``
(rasa/shared/core/events.py) and the columns mirror ``SQLTrackerStore.save``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot.console import db

MODEL_ID = "3f1c2a9e8b7d4c6f9a0b1c2d3e4f5a6b"
TEXTS = {
    "de": ("Wo ist das Jobcenter in Essen?", "Ich brauche einen Deutschkurs", "Hallo"),
    "en": ("Where is the job centre in Dortmund?", "I need a language course", "hello"),
    "ar": ("أين الجوب سنتر في إيسن؟", "أحتاج دورة لغة", "مرحبا"),
    "tr": ("Essen'de iş ajansı nerede?", "Almanca kursu arıyorum", "merhaba"),
    "uk": ("Де джобцентр у Бохумі?", "Мені потрібен мовний курс", "привіт"),
    "ru": ("Где джобцентр в Дортмунде?", "Мне нужен языковой курс", "привет"),
    "fa": ("جاب سنتر در اسن کجاست؟", "به کلاس زبان نیاز دارم", "سلام"),
    "fr": ("Où est le jobcenter à Essen ?", "J'ai besoin d'un cours de langue", "bonjour"),
}
INTENTS = ("find_office", "ask_language_course", "greet")
CITIES = ("Essen", "Dortmund", "Bochum", "Duisburg", "Gelsenkirchen", "Hagen")


@dataclass
class Turn:
    """One user message and what the bot did with it."""

    text: str
    intent: str
    confidence: float
    language: str
    utter: str = "utter_default"
    reply: str = "…"
    slots: dict[str, Any] = field(default_factory=dict)
    office_id: str | None = None
    #: Buttons offered with the reply: ``{"title": ..., "payload": ...}``.
    buttons: list[dict[str, str]] | None = None


def _action(ts: float, name: str, policy: str | None = "RulePolicy") -> dict[str, Any]:
    return {
        "event": "action",
        "timestamp": ts,
        "metadata": {"model_id": MODEL_ID, "assistant_id": "wegweiser"},
        "name": name,
        "policy": policy,
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }


def conversation(
    sender_id: str, start: float, turns: list[Turn], channel: str = "rest"
) -> list[dict[str, Any]]:
    """The event dicts of one conversation, as ``Event.as_dict()`` returns them."""
    ts = start
    out: list[dict[str, Any]] = [
        _action(ts, "action_session_start", None),
        {"event": "session_started", "timestamp": ts, "metadata": {"model_id": MODEL_ID}},
        _action(ts, "action_listen", None),
    ]
    for turn in turns:
        ts += 7.0
        message_id = uuid.uuid4().hex
        ranking = [{"name": turn.intent, "confidence": turn.confidence}]
        if turn.intent == "nlu_fallback":
            ranking.append({"name": "find_office", "confidence": 0.31})
        out.append(
            {
                "event": "user",
                "timestamp": ts,
                "metadata": {"model_id": MODEL_ID, "assistant_id": "wegweiser"},
                "text": turn.text,
                "parse_data": {
                    "intent": {"name": turn.intent, "confidence": turn.confidence},
                    "entities": [],
                    "text": turn.text,
                    "message_id": message_id,
                    "metadata": {},
                    "intent_ranking": ranking,
                    "language": {"code": turn.language, "confidence": 0.97, "source": "text"},
                },
                "input_channel": channel,
                "message_id": message_id,
            }
        )
        out.append(
            {
                "event": "user_featurization",
                "timestamp": ts,
                "metadata": {"model_id": MODEL_ID},
                "use_text_for_featurization": False,
            }
        )
        ts += 0.4
        action = "action_default_fallback" if turn.intent == "nlu_fallback" else "action_answer"
        out.append(_action(ts, action))
        for name, value in turn.slots.items():
            out.append({"event": "slot", "timestamp": ts, "name": name, "value": value})
        custom = {"type": "office_card", "id": turn.office_id} if turn.office_id else None
        out.append(
            {
                "event": "bot",
                "timestamp": ts,
                "metadata": {"utter_action": turn.utter, "model_id": MODEL_ID},
                "text": turn.reply,
                "data": {
                    "elements": None,
                    "quick_replies": None,
                    "buttons": turn.buttons,
                    "attachment": None,
                    "image": None,
                    "custom": custom,
                },
            }
        )
        out.append(_action(ts, "action_listen"))
    return out


def rows(sender_id: str, events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Table rows for ``events`` (the columns SQLTrackerStore.save fills)."""
    for event in events:
        yield {
            "sender_id": sender_id,
            "type_name": event["event"],
            "timestamp": event["timestamp"],
            "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
            "action_name": event.get("name"),
            "data": json.dumps(event),
        }


def insert(engine: Engine, sender_id: str, events: list[dict[str, Any]]) -> None:
    """Store one conversation's events."""
    with engine.begin() as conn:
        conn.execute(db.events.insert(), list(rows(sender_id, events)))


def random_conversation(rng: random.Random, sender_id: str, start: float) -> list[dict[str, Any]]:
    """A plausible conversation: a language, a city, 2–4 turns, sometimes a fallback."""
    lang = rng.choice(list(TEXTS))
    city = rng.choice(CITIES)
    turns = []
    for i in range(rng.randint(2, 4)):
        fallback = rng.random() < 0.08
        intent = "nlu_fallback" if fallback else rng.choice(INTENTS)
        turns.append(
            Turn(
                text=rng.choice(TEXTS[lang]),
                intent=intent,
                confidence=0.3 if fallback else round(rng.uniform(0.5, 1.0), 3),
                language=lang,
                utter="utter_default" if fallback else "utter_office_found",
                slots={"language": lang, "city": city} if i == 0 else {},
                office_id=f"{city.lower()}-jobcenter" if intent == "find_office" else None,
            )
        )
    channel = rng.choice(("rest", "rest", "socketio", "telegram", "whatsapp"))
    return conversation(sender_id, start, turns, channel)
