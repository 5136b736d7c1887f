"""Per-conversation summary rows, folded incrementally from Rasa's ``events`` table.

Why: the list filters (language, channel, city, fallback, lowest confidence, human hand-off)
live inside each event's JSON. Parsing JSON for every request over millions of events is far
too slow, so each event is parsed once here and the result kept in ``console_conversations``
(and misunderstood user messages in ``console_misunderstood``). The same fold keeps each
conversation's intents per day (``console_conversation_intents``: intent filter, top intents)
and the text of every user message (``console_messages``: free-text search); database
triggers turn those rows into the daily analytics tables. The last folded event id is kept
in ``console_state``; a refresh reads only newer events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.console import db, dialect
from bot.console.display import is_automatic_greeting
from bot.console.settings import MISUNDERSTOOD_BELOW

LAST_EVENT_KEY = "summary_last_event_id"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "utter_default"})
HUMAN_INTENT = "request_human"
UNSUPPORTED_INTENT = "unsupported_language"
#: Replies of the guidance form saying an answer was not understood (bot/guidance/form.py).
FORM_NOT_UNDERSTOOD = frozenset({"utter_guidance_not_understood", "utter_guidance_city_unknown"})
#: A message counts as written in a language only when the detector read it from the text
#: (or script) this surely; one-word messages and names do not.
LANGUAGE_SURE = 0.8
#: ... and from at least this many letters (the detector's ``evidence``), when it says.
LANGUAGE_EVIDENCE = 12
LANGUAGE_SOURCES = frozenset({"text", "script"})
#: Why a user message is listed under "misunderstood", in the order shown.
REASONS = (
    "fallback",
    "low_confidence",
    "form_answer",
    "other_language",
    "unsupported_language",
)
#: Slots whose value the summary keeps (the latest one wins).
SUMMARY_SLOTS = ("language", "city")
DAY = 86400


@dataclass
class _Acc:
    """What one batch of events says about one conversation."""

    started_at: float | None = None
    last_at: float | None = None
    n_user: int = 0
    n_bot: int = 0
    slot_language: str | None = None
    parsed_language: str | None = None
    channel: str | None = None
    city: str | None = None
    had_fallback: bool = False
    min_confidence: float | None = None
    asked_human: bool = False
    last_event_id: int = 0
    misunderstood: dict[int, dict[str, Any]] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)
    #: The conversation's language slot as the events go by (the language replies are in).
    reply_language: str | None = None
    #: The last user message and whether its first reply was seen yet.
    last_user: dict[str, Any] | None = None
    #: The language the last user message was surely written in (None: not sure).
    written_in: str | None = None
    answered: bool = True
    #: (intent or "", day) -> user messages; from the ``intent_name`` column, as Rasa filled it.
    intents: dict[tuple[str, int], int] = field(default_factory=dict)
    texts: list[tuple[int, str]] = field(default_factory=list)


def parse_user_event(data: dict[str, Any]) -> dict[str, Any]:
    """Intent, confidence, language code, channel and best non-fallback guess of a user event."""
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    lang = parse.get("language")
    code = lang.get("code") if isinstance(lang, dict) else lang if isinstance(lang, str) else None
    guess = next(
        (
            r.get("name")
            for r in parse.get("intent_ranking") or []
            if r.get("name") and r.get("name") != FALLBACK_INTENT
        ),
        None,
    )
    confidence = intent.get("confidence")
    lang_conf = lang.get("confidence") if isinstance(lang, dict) else None
    return {
        "intent": intent.get("name"),
        "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
        "language": code if isinstance(code, str) else None,
        "language_source": lang.get("source") if isinstance(lang, dict) else None,
        "language_confidence": float(lang_conf) if isinstance(lang_conf, (int, float)) else 0.0,
        "language_evidence": lang.get("evidence") if isinstance(lang, dict) else None,
        "channel": data.get("input_channel"),
        "guess": guess,
        "text": data.get("text") or "",
    }


def _fold(acc: _Acc, row: Any) -> None:
    ts = row.timestamp or 0.0
    acc.started_at = ts if acc.started_at is None else min(acc.started_at, ts)
    acc.last_at = ts if acc.last_at is None else max(acc.last_at, ts)
    acc.last_event_id = max(acc.last_event_id, row.id)
    kind = row.type_name
    if kind == "user":
        acc.n_user += 1
        try:
            info = parse_user_event(json.loads(row.data or "{}"))
        except (ValueError, AttributeError):
            info = None
        # The greeting a client sends by itself when a chat opens is not something a
        # person asked: it stays out of the intent counts ("most frequent intents").
        text = info["text"] if info is not None else None
        if not (isinstance(text, str) and is_automatic_greeting(text)):
            key = ((row.intent_name or "")[:255], int(ts // DAY))
            acc.intents[key] = acc.intents.get(key, 0) + 1
        if info is None:
            return  # a malformed row must not stop the summary
        if info["text"] and isinstance(info["text"], str):
            acc.texts.append((row.id, info["text"]))
        if info["language"]:
            acc.parsed_language = info["language"]
        if info["channel"]:
            acc.channel = str(info["channel"])[:64]
        conf = info["confidence"]
        if conf is not None:
            acc.min_confidence = (
                conf if acc.min_confidence is None else min(acc.min_confidence, conf)
            )
        if info["intent"] == HUMAN_INTENT:
            acc.asked_human = True
        fallback = info["intent"] == FALLBACK_INTENT
        if fallback:
            acc.had_fallback = True
        entry = {
            "event_id": row.id,
            "timestamp": ts,
            "language": info["language"],
            "text": info["text"],
            "intent": info["intent"],
            "guess": info["guess"],
            "confidence": conf,
        }
        if info["intent"] == UNSUPPORTED_INTENT:
            _mark(acc, entry, "unsupported_language")
        elif fallback:
            _mark(acc, entry, "fallback")
        elif conf is not None and conf < MISUNDERSTOOD_BELOW:
            _mark(acc, entry, "low_confidence")
        sure = (
            info["intent"] != UNSUPPORTED_INTENT  # listed for that already
            and info["language_source"] in LANGUAGE_SOURCES
            and info["language_confidence"] >= LANGUAGE_SURE
            and not (
                isinstance(info["language_evidence"], int)
                and info["language_evidence"] < LANGUAGE_EVIDENCE
            )
            and not (isinstance(info["text"], str) and info["text"].startswith("/"))
        )
        acc.last_user = entry
        acc.written_in = info["language"] if sure else None
        acc.answered = False
    elif kind == "bot":
        acc.n_bot += 1
        _check_reply(acc, row)
        if row.data and "office_card" in row.data:
            try:
                custom = (json.loads(row.data).get("data") or {}).get("custom") or {}
            except (ValueError, AttributeError):
                return
            if (
                isinstance(custom, dict)
                and custom.get("type") == "office_card"
                and custom.get("id")
            ):
                acc.shown.append(str(custom["id"])[:128])
    elif kind == "action" and row.action_name in FALLBACK_ACTIONS:
        acc.had_fallback = True
    elif kind == "slot" and row.action_name in SUMMARY_SLOTS:
        try:
            value = json.loads(row.data or "{}").get("value")
        except (ValueError, AttributeError):
            return
        if isinstance(value, str) and value:
            if row.action_name == "language":
                acc.slot_language = value[:8]
                acc.reply_language = value[:8]
            else:
                acc.city = value[:64]


def _mark(acc: _Acc, entry: dict[str, Any], reason: str) -> None:
    """List a user message as misunderstood for ``reason`` (reasons add up per message)."""
    row = acc.misunderstood.setdefault(entry["event_id"], {**entry, "reasons": []})
    if reason not in row["reasons"]:
        row["reasons"].append(reason)


def _check_reply(acc: _Acc, row: Any) -> None:
    """Check the first reply to a user message: its language, and a form's "not understood"."""
    user = acc.last_user
    if user is None or acc.answered:
        return
    acc.answered = True
    if row.data and any(name in row.data for name in FORM_NOT_UNDERSTOOD):
        try:
            utter = (json.loads(row.data).get("metadata") or {}).get("utter_action")
        except (ValueError, AttributeError):
            utter = None
        if utter in FORM_NOT_UNDERSTOOD:
            _mark(acc, user, "form_answer")
    written_in = acc.written_in
    if written_in and acc.reply_language and written_in != acc.reply_language:
        _mark(acc, user, "other_language")


def _merge(old: dict[str, Any] | None, sender_id: str, acc: _Acc) -> dict[str, Any]:
    """The new summary row: ``old`` (may be None) updated with ``acc``."""
    new_lang = acc.slot_language or acc.parsed_language
    if old is None:
        language = new_lang
    elif acc.slot_language:
        language = acc.slot_language
    else:
        language = old["language"] or new_lang
    mins: list[float] = [
        c for c in (old["min_confidence"] if old else None, acc.min_confidence) if c is not None
    ]
    return {
        "sender_id": sender_id,
        "started_at": min(acc.started_at, old["started_at"]) if old else acc.started_at,
        "last_at": max(acc.last_at, old["last_at"]) if old else acc.last_at,
        "n_user": acc.n_user + (old["n_user"] if old else 0),
        "n_bot": acc.n_bot + (old["n_bot"] if old else 0),
        "language": language,
        "channel": acc.channel or (old and old["channel"]),
        "city": acc.city or (old and old["city"]),
        "had_fallback": acc.had_fallback or bool(old and old["had_fallback"]),
        "min_confidence": min(mins) if mins else None,
        "asked_human": acc.asked_human or bool(old and old["asked_human"]),
        "last_event_id": acc.last_event_id,
    }


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _last_id(conn: Connection) -> int:
    value = conn.execute(
        sa.select(db.state.c.value).where(db.state.c.key == LAST_EVENT_KEY)
    ).scalar()
    return int(value) if value is not None else 0


#: PostgreSQL's deadlock and serialization failures: the transaction lost a race.
_LOST_RACE = frozenset({"40P01", "40001"})


def refresh(engine: Engine, batch: int = 50_000) -> int:
    """Fold up to ``batch`` new events into the summary; returns how many were folded.

    Safe against two console processes refreshing at once: the stored last id is
    compare-and-set, so the loser rolls back and nothing is counted twice (it raises
    :class:`Raced`).
    """
    try:
        return _refresh(engine, batch)
    except sa.exc.OperationalError as exc:
        # Two folds add to the same daily rows (triggers); PostgreSQL may end one as a
        # deadlock victim. That one lost the race like any other.
        if getattr(exc.orig, "pgcode", None) in _LOST_RACE:
            raise Raced() from exc
        raise


def _refresh(engine: Engine, batch: int) -> int:
    e = db.events.c
    with engine.begin() as conn:
        last = _last_id(conn)
        rows = conn.execute(
            sa.select(
                e.id,
                e.sender_id,
                e.type_name,
                e.timestamp,
                e.action_name,
                e.intent_name,
                # Only user, slot and bot events need their JSON; skipping the rest halves the I/O.
                sa.case((e.type_name.in_(("user", "slot", "bot")), e.data), else_=None).label(
                    "data"
                ),
            )
            .where(e.id > last)
            .order_by(e.id)
            .limit(batch)
        ).all()
        if not rows:
            return 0
        senders = list(dict.fromkeys(row.sender_id for row in rows))
        old: dict[str, dict[str, Any]] = {}
        c = db.conversations.c
        for chunk in _chunks(senders):
            for r in conn.execute(sa.select(db.conversations).where(c.sender_id.in_(chunk))):
                old[r.sender_id] = dict(r._mapping)
        # A conversation folded before goes on in the language it had (replies' language).
        accs = {s: _Acc(reply_language=(old.get(s) or {}).get("language")) for s in senders}
        for row in rows:
            _fold(accs[row.sender_id], row)
        inserts = [_merge(None, s, a) for s, a in accs.items() if s not in old]
        updates = [_merge(old[s], s, a) for s, a in accs.items() if s in old]
        if inserts:
            conn.execute(db.conversations.insert(), inserts)
        if updates:
            conn.execute(
                db.conversations.update()
                .where(c.sender_id == sa.bindparam("b_sender_id"))
                .values({k: sa.bindparam(k) for k in updates[0] if k != "sender_id"}),
                [{**u, "b_sender_id": u["sender_id"]} for u in updates],
            )
        mis = _misunderstood_rows(accs)
        if mis:
            conn.execute(db.misunderstood.insert(), mis)
        _count_shown(conn, accs)
        _add_intents_and_texts(conn, accs)
        new_last = str(rows[-1].id)
        if (
            last == 0
            and conn.execute(
                sa.select(db.state.c.key).where(db.state.c.key == LAST_EVENT_KEY)
            ).first()
            is None
        ):
            conn.execute(db.state.insert().values(key=LAST_EVENT_KEY, value=new_last))
        else:
            done = conn.execute(
                db.state.update()
                .where(db.state.c.key == LAST_EVENT_KEY, db.state.c.value == str(last))
                .values(value=new_last)
            )
            if done.rowcount != 1:
                raise Raced()
        return len(rows)


def _misunderstood_rows(accs: dict[str, _Acc]) -> list[dict[str, Any]]:
    """The batch's ``console_misunderstood`` rows, reasons in the order of REASONS."""
    return [
        {**m, "sender_id": s, "reasons": ",".join(sorted(m["reasons"], key=REASONS.index))}
        for s, a in accs.items()
        for m in a.misunderstood.values()
    ]


def _count_shown(conn: Connection, accs: dict[str, _Acc]) -> None:
    """Add this batch's office-card views to ``console_office_shown``."""
    counts: dict[str, list[float]] = {}
    for acc in accs.values():
        for office_id in acc.shown:
            entry = counts.setdefault(office_id, [0, 0.0])
            entry[0] += 1
            entry[1] = max(entry[1], acc.last_at or 0.0)
    if not counts:
        return
    t = db.office_shown.c
    known = {
        r.office_id: r
        for r in conn.execute(sa.select(db.office_shown).where(t.office_id.in_(list(counts))))
    }
    for office_id, (n, at) in counts.items():
        if office_id in known:
            old = known[office_id]
            conn.execute(
                db.office_shown.update()
                .where(t.office_id == office_id)
                .values(n=old.n + n, last_at=max(old.last_at, at))
            )
        else:
            conn.execute(db.office_shown.insert().values(office_id=office_id, n=n, last_at=at))


def _add_intents_and_texts(conn: Connection, accs: dict[str, _Acc]) -> None:
    """Add this batch's intent counts and user-message texts (search, intent filter)."""
    dialect.add_counts(
        conn,
        db.conversation_intents,
        ["sender_id", "intent", "day"],
        "n",
        [
            {"sender_id": s, "intent": intent, "day": day, "n": n}
            for s, a in accs.items()
            for (intent, day), n in a.intents.items()
        ],
    )
    texts = [
        {"event_id": event_id, "sender_id": s, "text": text}
        for s, a in accs.items()
        for event_id, text in a.texts
    ]
    if texts:
        conn.execute(db.messages.insert(), texts)


class Raced(Exception):
    """Another process folded the same events first."""


def refresh_all(engine: Engine, batch: int = 50_000) -> int:
    """Refresh until caught up; returns the number of events folded."""
    total = 0
    while True:
        try:
            n = refresh(engine, batch)
        except (Raced, sa.exc.IntegrityError):
            continue  # the other process got there first: read the new state
        total += n
        if n < batch:
            return total


#: Every console table with rows per conversation. The daily aggregates follow deletions
#: from ``console_conversations`` and ``console_conversation_intents`` by trigger.
CONSOLE_TABLES = (
    db.conversations,
    db.misunderstood,
    db.tags,
    db.notes,
    db.conversation_intents,
    db.messages,
)


def prune(engine: Engine) -> int:
    """Drop console rows of conversations whose events are gone (retention, self-deletion).

    The probe over every conversation runs as a plain read, so SQLite's write lock (which
    Rasa's own writes wait for) is held only for the deletes, which check again.
    """
    e = db.events.c
    gone: set[str] = set()
    with engine.connect() as conn:
        for table in CONSOLE_TABLES:
            # One probe per conversation, not per row (messages, intents have several).
            senders = sa.select(table.c.sender_id).distinct().subquery()
            orphan = ~sa.exists().where(e.sender_id == senders.c.sender_id)
            gone.update(r[0] for r in conn.execute(sa.select(senders.c.sender_id).where(orphan)))
    removed = 0
    with engine.begin() as conn:
        for chunk in _chunks(sorted(gone)):
            for table in CONSOLE_TABLES:
                # Still gone? A sender id can start a new conversation in the meantime.
                still = ~sa.exists().where(e.sender_id == table.c.sender_id)
                done = conn.execute(table.delete().where(table.c.sender_id.in_(chunk), still))
                removed += done.rowcount or 0
    return removed


def forget(engine: Engine, sender_ids: Iterable[str]) -> None:
    """Remove every console row of these conversations (the daily counts follow by trigger).

    Summary, misunderstood copies, tags, notes, intents and message texts. For code that
    deletes events itself (retention, "delete my data"): call this in the same breath so the
    console shows the conversation nowhere, not only after the next prune.
    """
    ids = list(sender_ids)
    with engine.begin() as conn:
        for chunk in _chunks(ids):
            for table in CONSOLE_TABLES:
                conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Delete a conversation's events and every console row about it; returns events deleted.

    The same path as every other deletion (bot.privacy.deletion): one transaction, and a
    line in ``privacy_log`` (``admin_deletion``). The daily aggregate rows follow by
    trigger, and a row that no longer counts anything is removed (migration 0004). The
    caller holds the conversation's lock (bot.console.locks).
    """
    from bot.privacy.deletion import delete_conversation as delete_audited

    return delete_audited(engine, sender_id, [t.name for t in CONSOLE_TABLES])
