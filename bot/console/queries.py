"""The console's read queries. Filtering, sorting, paging and aggregation all run in SQL."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.console import db, dialect, display

TAGS = ("wrong_answer", "missing_information", "outdated_contact", "praise")
SORTS = {
    "started": db.conversations.c.started_at,
    "last": db.conversations.c.last_at,
    "messages": db.conversations.c.n_user,
    "confidence": db.conversations.c.min_confidence,
    "language": db.conversations.c.language,
}
#: Slots left out of the transcript: bookkeeping, not answers. Every other slot (city,
#: language, postal code, office type, form answers added later) is shown.
HIDDEN_SLOTS = frozenset({"session_started_metadata"})


@dataclass
class Filters:
    """Validated list filters (see bot.console.forms.parse_filters)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str | None = None
    channel: str | None = None
    city: str | None = None
    intent: str | None = None
    fallback: bool | None = None
    below: float | None = None
    human: bool = False
    tag: str | None = None
    q: str | None = None
    sort: str = "last"
    desc: bool = True
    page: int = 1


@dataclass
class Page:
    """One page of conversations plus counts."""

    rows: list[dict[str, Any]]
    total: int
    pages: int
    by_language: list[tuple[str | None, int]] = field(default_factory=list)


def _epoch(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp()


def _conditions(engine: Engine, f: Filters) -> list[Any]:
    c = db.conversations.c
    conds: list[Any] = []
    if f.date_from:
        conds.append(c.started_at >= _epoch(f.date_from))
    if f.date_to:
        conds.append(c.started_at < _epoch(f.date_to + dt.timedelta(days=1)))
    if f.language:
        conds.append(c.language == f.language)
    if f.channel:
        conds.append(c.channel == f.channel)
    if f.city:
        conds.append(c.city == f.city)
    if f.fallback is not None:
        conds.append(c.had_fallback == f.fallback)
    if f.below is not None:
        conds.append(c.min_confidence < f.below)
    if f.human:
        conds.append(c.asked_human == sa.true())
    if f.intent:
        # Indexed (intent, sender_id) lookup in the table the fold keeps.
        ci = db.conversation_intents.c
        conds.append(c.sender_id.in_(sa.select(ci.sender_id).where(ci.intent == f.intent)))
    if f.tag:
        t = db.tags.c
        conds.append(sa.exists().where(t.sender_id == c.sender_id, t.tag == f.tag))
    if f.q:
        conds.append(c.sender_id.in_(dialect.search_senders(engine, f.q)))
    return conds


def list_conversations(engine: Engine, f: Filters, page_size: int) -> Page:
    """Filtered, sorted page of conversation summaries, the total, and counts per language."""
    c = db.conversations.c
    conds = _conditions(engine, f)
    key = SORTS[f.sort]
    # The tiebreaker runs the same way, so one index (key, sender_id) serves the order.
    order = (key.desc(), c.sender_id.desc()) if f.desc else (key.asc(), c.sender_id.asc())
    with engine.connect() as conn:
        by_language = [
            (r[0], r[1])
            for r in conn.execute(
                sa.select(c.language, sa.func.count())
                .where(*conds)
                .group_by(c.language)
                .order_by(sa.func.count().desc())
            )
        ]
        # The per-language counts add up to the total: one pass over the matches, not two
        # (costly filters such as a short text search run once fewer).
        total = sum(n for _lang, n in by_language)
        pages = max(1, -(-total // page_size))
        # Deferred join: page through (sort key, id) alone — an index-only walk for deep
        # pages — then fetch the page's full rows by id.
        ids = [
            r[0]
            for r in conn.execute(
                sa.select(c.sender_id)
                .where(*conds)
                .order_by(*order)
                .limit(page_size)
                .offset((f.page - 1) * page_size)
            )
        ]
        by_id = (
            {
                r.sender_id: dict(r._mapping)
                for r in conn.execute(sa.select(db.conversations).where(c.sender_id.in_(ids)))
            }
            if ids
            else {}
        )
        rows = [by_id[i] for i in ids if i in by_id]
        if rows:
            t = db.tags.c
            tag_rows = conn.execute(
                sa.select(t.sender_id, t.tag).where(t.sender_id.in_([r["sender_id"] for r in rows]))
            ).all()
            tags_by: dict[str, list[str]] = {}
            for sender_id, tag in tag_rows:
                tags_by.setdefault(sender_id, []).append(tag)
            for r in rows:
                r["tags"] = sorted(tags_by.get(r["sender_id"], []))
            previews = _first_messages(conn, [r["sender_id"] for r in rows])
            for r in rows:
                r["preview"] = previews.get(r["sender_id"])
    return Page(rows=rows, total=total, pages=pages, by_language=by_language)


#: Characters of the first message shown in the list (the full text is in the transcript).
PREVIEW_CHARS = 90


def _first_messages(conn: Connection, sender_ids: list[str]) -> dict[str, str]:
    """The first typed user message of each conversation (already redacted when stored).

    Button payloads and commands (``/greet``, ``/find_office{...}``) are skipped: they say
    nothing a reviewer can read.
    """
    m = db.messages.c
    first = (
        sa.select(sa.func.min(m.event_id))
        .where(m.sender_id.in_(sender_ids), ~m.text.like("/%"))
        .group_by(m.sender_id)
    )
    out: dict[str, str] = {}
    for sender_id, text in conn.execute(
        sa.select(m.sender_id, m.text).where(m.event_id.in_(first))
    ):
        line = " ".join(text.split())
        out[sender_id] = line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"
    return out


def distinct_values(engine: Engine) -> dict[str, list[str]]:
    """Values offered in the filter drop-downs (channels and cities seen so far)."""
    c = db.conversations.c
    with engine.connect() as conn:
        return {
            name: [
                v
                for (v,) in conn.execute(
                    sa.select(col).where(col.isnot(None)).distinct().order_by(col).limit(200)
                )
            ]
            for name, col in (("channel", c.channel), ("city", c.city))
        }


def transcript(engine: Engine, sender_id: str) -> dict[str, Any] | None:
    """Messages in order with intent, confidence, language, the producing action and slots."""
    e = db.events.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(e.id, e.type_name, e.timestamp, e.action_name, e.data)
            .where(
                e.sender_id == sender_id,
                e.type_name.in_(("user", "bot", "slot", "action", "session_started")),
            )
            .order_by(e.id)
        ).all()
        if not rows:
            return None
        summary = conn.execute(
            sa.select(db.conversations).where(db.conversations.c.sender_id == sender_id)
        ).first()
        t = db.tags.c
        tags = sorted(r[0] for r in conn.execute(sa.select(t.tag).where(t.sender_id == sender_id)))
        n = db.notes.c
        notes = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(db.notes).where(n.sender_id == sender_id).order_by(n.created_at)
            )
        ]
    items: list[dict[str, Any]] = []
    slots: dict[str, Any] = {}
    last_action: str | None = None
    #: Payload -> title of the buttons the person was last offered.
    offered: dict[str, str] = {}
    for row in rows:
        try:
            data = json.loads(row.data or "{}")
        except ValueError:
            data = {}
        if row.type_name == "session_started":
            items.append({"kind": "session", "time": row.timestamp})
        elif row.type_name == "action":
            last_action = row.action_name
        elif row.type_name == "slot":
            if row.action_name and row.action_name not in HIDDEN_SLOTS:
                slots[row.action_name] = data.get("value")
                items.append(
                    {
                        "kind": "slot",
                        "time": row.timestamp,
                        "name": row.action_name,
                        "value": data.get("value"),
                    }
                )
        elif row.type_name == "user":
            parse = data.get("parse_data") or {}
            lang = parse.get("language")
            text = data.get("text") or ""
            items.append(
                {
                    "kind": "user",
                    "id": row.id,
                    "time": row.timestamp,
                    "text": text,
                    # A button press shows the title the person read, not the payload.
                    "button": offered.get(text.strip()) if display.is_payload(text) else None,
                    "automatic": display.is_automatic_greeting(text),
                    "intent": (parse.get("intent") or {}).get("name"),
                    "confidence": (parse.get("intent") or {}).get("confidence"),
                    "language": lang.get("code") if isinstance(lang, dict) else lang,
                    "channel": data.get("input_channel"),
                }
            )
        else:
            meta = data.get("metadata") or {}
            payload = data.get("data") or {}
            custom = payload.get("custom") if isinstance(payload, dict) else None
            buttons = payload.get("buttons") if isinstance(payload, dict) else None
            if buttons:
                offered = {
                    str(b.get("payload", "")).strip(): str(b.get("title", ""))
                    for b in buttons
                    if isinstance(b, dict)
                }
            items.append(
                {
                    "kind": "bot",
                    "time": row.timestamp,
                    "text": data.get("text") or "",
                    "response": meta.get("utter_action"),
                    "action": last_action,
                    "buttons": [b.get("title") for b in (payload.get("buttons") or [])]
                    if isinstance(payload, dict)
                    else [],
                    "card": custom.get("id") if isinstance(custom, dict) else None,
                }
            )
    return {
        "sender_id": sender_id,
        "items": items,
        "slots": slots,
        "summary": dict(summary._mapping) if summary else None,
        "tags": tags,
        "notes": notes,
    }


def misunderstood(
    engine: Engine,
    language: str | None,
    status: str,
    page: int,
    page_size: int,
    reason: str | None = None,
) -> tuple[list[dict[str, Any]], int, list[tuple[str | None, int]], dict[str, int]]:
    """Misunderstood messages (newest first), their total, and open counts.

    Open counts are per language and per reason (``summary.REASONS``).
    """
    m = db.misunderstood.c
    conds = []
    if language:
        conds.append(m.language == language)
    if reason:
        conds.append(m.reasons.like(f"%{reason}%"))
    if status == "open":
        conds.append(m.assigned_intent.is_(None))
    elif status == "assigned":
        conds.append(m.assigned_intent.isnot(None))
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(db.misunderstood).where(*conds)
        ).scalar_one()
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(db.misunderstood)
                .where(*conds)
                .order_by(m.timestamp.desc(), m.event_id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        ]
        groups = [
            (r[0], r[1])
            for r in conn.execute(
                sa.select(m.language, sa.func.count())
                .where(m.assigned_intent.is_(None))
                .group_by(m.language)
                .order_by(m.language)
            )
        ]
        by_reasons = conn.execute(
            sa.select(m.reasons, sa.func.count())
            .where(m.assigned_intent.is_(None))
            .group_by(m.reasons)
        ).all()
    per_reason: dict[str, int] = {}
    for reasons, n in by_reasons:
        for name in (reasons or "").split(","):
            if name:
                per_reason[name] = per_reason.get(name, 0) + n
    for row in rows:
        row["reason_list"] = [r for r in (row.get("reasons") or "").split(",") if r]
    return rows, total, groups, per_reason


def nlu_yaml(engine: Engine, language: str) -> tuple[str, int]:
    """Messages of one language as Rasa NLU YAML (for a human to add to data/nlu).

    Assigned messages are examples of their intent. Messages not reviewed yet follow as
    comments, grouped by the model's guess and with why they were listed, so the file
    is useful before anyone assigned anything (and nothing unreviewed is trained by
    mistake). Returns the text and the number of assigned examples.
    """
    m = db.misunderstood.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(m.assigned_intent, m.text)
            .where(m.language == language, m.assigned_intent.isnot(None))
            .order_by(m.assigned_intent, m.event_id)
        ).all()
        open_rows = conn.execute(
            sa.select(m.guess, m.intent, m.reasons, m.text)
            .where(m.language == language, m.assigned_intent.is_(None))
            .order_by(m.guess, m.event_id)
            .limit(2000)
        ).all()
    by_intent: dict[str, list[str]] = {}
    for intent, text in rows:
        line = " ".join(text.split())
        if line and line not in by_intent.setdefault(intent, []):
            by_intent[intent].append(line)
    out = [
        "# Exported from the Wegweiser staff console: messages the bot misunderstood.",
        "# Check each example, then add it under data/nlu/ and retrain (make train).",
        'version: "3.1"',
        "nlu:" if by_intent else "nlu: []",
    ]
    for intent, examples in by_intent.items():
        out += [f"- intent: {intent}", "  metadata:", f"    language: {language}", "  examples: |"]
        out += [f"    - {ex}" for ex in examples]
    if open_rows:
        out += [
            "",
            f"# Not reviewed yet ({len(open_rows)}): assign an intent in the console, or move",
            "# a line under the right intent above (without the '#').",
        ]
        guess_of: dict[str, list[str]] = {}
        for guess, intent, reasons, text in open_rows:
            line = " ".join(text.split())
            if line:
                why = f"  ({reasons})" if reasons else ""
                guess_of.setdefault(guess or intent or "?", []).append(f"#     - {line}{why}")
        for guess, lines in guess_of.items():
            out += [f"# guess: {guess}", *lines]
    return "\n".join(out) + "\n", sum(len(v) for v in by_intent.values())


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def analytics(engine: Engine, start: dt.date, end: dt.date) -> dict[str, Any]:
    """All aggregates for the analytics page and its CSV, for days ``start``..``end``.

    Reads the daily tables that triggers keep (migration 0003): conversations count on the
    day they started, with their current language, channel, city and fallback flag; intents
    count user messages on the day they were sent. "" in those tables means NULL.
    """
    c = db.conversations.c
    m = db.misunderstood.c
    lo, hi = _epoch(start), _epoch(end + dt.timedelta(days=1))
    first, last = _day_number(start), _day_number(end)
    d = db.daily.c
    in_days = (d.day >= first, d.day <= last)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for key, raw in (("by_language", d.language), ("by_channel", d.channel)):
            col = sa.func.nullif(raw, "")
            convs = sa.func.sum(d.conversations)
            out[key] = [
                (int(r[0]), r[1], int(r[2]), int(r[3] or 0))
                for r in conn.execute(
                    sa.select(d.day, col, convs, sa.func.sum(d.messages))
                    .where(*in_days)
                    .group_by(d.day, raw)
                    .having(convs > 0)
                    .order_by(d.day, col)
                )
            ]
        convs = sa.func.sum(d.conversations)
        out["fallback_rate"] = [
            (int(r[0]), int(r[1]), int(r[2] or 0))
            for r in conn.execute(
                sa.select(d.day, convs, sa.func.sum(d.fallbacks))
                .where(*in_days)
                .group_by(d.day)
                .having(convs > 0)
                .order_by(d.day)
            )
        ]
        i = db.daily_intents.c
        n = sa.func.sum(i.n)
        out["top_intents"] = [
            (r[0] or None, int(r[1]))
            for r in conn.execute(
                sa.select(i.intent, n)
                .where(i.day >= first, i.day <= last)
                .group_by(i.intent)
                .having(n > 0)
                .order_by(n.desc(), i.intent)
                .limit(15)
            )
        ]
        ct = db.daily_cities.c
        n = sa.func.sum(ct.conversations)
        out["top_cities"] = [
            (r[0], int(r[1]))
            for r in conn.execute(
                sa.select(ct.city, n)
                .where(ct.day >= first, ct.day <= last)
                .group_by(ct.city)
                .having(n > 0)
                .order_by(n.desc(), ct.city)
                .limit(15)
            )
        ]
        out["unanswered"] = [
            (r[0], r[1], r[2])
            for r in conn.execute(
                sa.select(c.city, m.language, sa.func.count())
                .select_from(db.misunderstood.join(db.conversations, c.sender_id == m.sender_id))
                .where(m.timestamp >= lo, m.timestamp < hi)
                .group_by(c.city, m.language)
                .order_by(sa.func.count().desc())
                .limit(50)
            )
        ]
    return out


def day_label(day: int) -> str:
    """ISO date of a day number."""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


def audit_page(engine: Engine, page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Audit log, newest first."""
    a = db.audit.c
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(db.audit)).scalar_one()
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(db.audit)
                .order_by(a.at.desc(), a.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        ]
    return rows, total


def office_views(engine: Engine) -> dict[str, tuple[int, float]]:
    """How often each office record was shown, by office id."""
    with engine.connect() as conn:
        return {r.office_id: (r.n, r.last_at) for r in conn.execute(sa.select(db.office_shown))}
