"""Console pages. Each handler validates input, runs blocking DB work in a thread, renders."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from aiohttp_session import get_session, new_session
from cryptography.fernet import InvalidToken

from bot.console import auth, db, directory_health, queries, summary
from bot.console.forms import FormError, page_number, parse_filters
from bot.console.intents import known_intents
from bot.console.locks import conversation_lock
from bot.console.middlewares import admin_only
from bot.console.typedefs import ENGINE, REFRESH, SETTINGS, THROTTLE, URL_CIPHER
from bot.languages import SUPPORTED


def display_id(sender_id: str) -> str:
    """A short stable label for a conversation; never the sender id itself."""
    return "C-" + hashlib.sha256(sender_id.encode()).hexdigest()[:10]


def conversation_key(request: web.Request, sender_id: str) -> str:
    """Opaque, encrypted URL key for a conversation."""
    return request.app[URL_CIPHER].encrypt(sender_id.encode()).decode()


def sender_from_key(request: web.Request) -> str:
    """The sender id behind the URL key, or 404."""
    try:
        return request.app[URL_CIPHER].decrypt(request.match_info["key"].encode()).decode()
    except (InvalidToken, ValueError, UnicodeError) as exc:
        raise web.HTTPNotFound(reason="No such conversation (it may have been deleted).") from exc


async def refresh_summary(request: web.Request) -> None:
    """Fold new events into the summary, at most every ``refresh_interval`` seconds."""
    state = request.app[REFRESH]
    if time.monotonic() - state.get("at", 0.0) < request.app[SETTINGS].refresh_interval:
        return
    lock = state.setdefault("lock", asyncio.Lock())
    if lock.locked():
        return  # a refresh is running (e.g. the background catch-up): show what we have
    async with lock:
        state["at"] = time.monotonic()
        try:
            # Bounded per request; the background task catches up on large backlogs.
            await db.run(summary.refresh, request.app[ENGINE], 20_000)
        except (summary.Raced, sa.exc.IntegrityError):
            pass  # another console process folded these events first


def intents_by_label(request: web.Request) -> tuple[str, ...]:
    """The assignable intents, in the alphabetical order of their names in the UI language."""
    t = request[aiohttp_jinja2.REQUEST_CONTEXT_KEY]["t"]
    return tuple(sorted(known_intents(), key=lambda i: t(f"intent:{i}").casefold()))


def _actor(request: web.Request) -> auth.User:
    return request["user"]


# -- login / logout -------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.Response:
    """The login form."""
    message = "Your session expired. Please log in again." if request.query.get("expired") else ""
    return aiohttp_jinja2.render_template("login.html", request, {"message": message})


def _client(request: web.Request) -> str:
    """The client's address; behind a configured reverse proxy, from X-Forwarded-For."""
    return auth.client_address(
        request.remote,
        request.headers.get("X-Forwarded-For"),
        request.app[SETTINGS].trusted_proxies,
    )


async def login(request: web.Request) -> web.Response:
    """Check credentials (rate-limited per address, lockout per account); start a session."""
    form = await request.post()
    address = _client(request)
    engine = request.app[ENGINE]
    username = str(form.get("username", ""))[:64]
    throttle = request.app[THROTTLE]
    if not throttle.allow(address):
        if throttle.first_refusal(address):  # a flood must not flood the audit log too
            await db.run(auth.audit, engine, "?", "login-throttled", None, address)
        return aiohttp_jinja2.render_template(
            "login.html",
            request,
            {"message": "Too many attempts from your address. Please wait a few minutes."},
            status=429,
        )
    settings = request.app[SETTINGS]
    user, reason = await db.run(
        auth.authenticate,
        engine,
        username,
        str(form.get("password", ""))[:1024],
        settings.max_failed_logins,
        settings.lockout_seconds,
    )
    if user is None:
        # Who tried is recorded only for a real account: a password typed into the
        # username field must not end up in the log.
        await db.run(
            auth.audit,
            engine,
            username if reason != "unknown" else "?",
            "login-failed",
            None,
            f"{reason} from {address}",
        )
        message = (
            "Too many failed attempts. The account is locked for a while."
            if reason == "locked"
            else "Wrong username or password."
        )
        return aiohttp_jinja2.render_template(
            "login.html", request, {"message": message}, status=401
        )
    lang = (await get_session(request)).get("lang")
    sid = await db.run(
        auth.start_session, engine, user.id, settings.session_idle, settings.session_lifetime
    )
    session = await new_session(request)  # a fresh cookie too: no fixation
    session.update({"sid": sid, "csrf": secrets.token_urlsafe(32), "lang": lang})
    await db.run(auth.audit, engine, user.username, "login", None, address)
    raise web.HTTPSeeOther(request.app.router["conversations"].url_for())


async def logout(request: web.Request) -> web.Response:
    """End the session: every session of this account, so a copied cookie is dead too."""
    user = _actor(request)
    engine = request.app[ENGINE]
    n = await db.run(auth.end_sessions, engine, user.id)
    await db.run(auth.audit, engine, user.username, "logout", None, f"{n} sessions")
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPSeeOther(request.app.router["login"].url_for())


@aiohttp_jinja2.template("account.html")
async def account(request: web.Request) -> dict[str, Any]:
    """Change one's own password."""
    return {"message": request.query.get("message", ""), "done": "done" in request.query}


async def account_post(request: web.Request) -> web.Response:
    """Set a new password; every other session of this account ends."""
    form = await request.post()
    user = _actor(request)
    engine = request.app[ENGINE]
    new = str(form.get("new", ""))[:1024]
    target = request.app.router["account"].url_for()
    if new != str(form.get("repeat", ""))[:1024]:
        raise web.HTTPSeeOther(target.with_query({"message": "The new passwords differ."}))
    session = await get_session(request)
    try:
        await db.run(
            auth.change_own_password,
            engine,
            user.id,
            str(form.get("current", ""))[:1024],
            new,
            session.get("sid"),
        )
    except auth.UserError as err:
        await db.run(auth.audit, engine, user.username, "password-failed", user.username)
        raise web.HTTPSeeOther(target.with_query({"message": str(err)})) from err
    await db.run(auth.audit, engine, user.username, "password", user.username)
    raise web.HTTPSeeOther(target.with_query({"done": "1"}))


async def index(request: web.Request) -> web.Response:
    """The console's start page is the conversation list."""
    raise web.HTTPSeeOther(request.app.router["conversations"].url_for())


# -- conversations --------------------------------------------------------------------------


@aiohttp_jinja2.template("conversations.html")
async def conversations(request: web.Request) -> dict[str, Any] | web.Response:
    """Paginated, filtered, sorted list with counts."""
    engine = request.app[ENGINE]
    choices = await db.run(queries.distinct_values, engine)
    base = {
        "query": request.query,
        "choices": choices,
        "intents": intents_by_label(request),
        "tags": queries.TAGS,
        "sorts": list(queries.SORTS),
    }
    try:
        filters = parse_filters(request.query)
    except FormError as err:
        # The form again, with what to fix, as a 400.
        context = {**base, "problems": err.problems, "page": None}
        return aiohttp_jinja2.render_template("conversations.html", request, context, status=400)
    await refresh_summary(request)
    page = await db.run(
        queries.list_conversations, engine, filters, request.app[SETTINGS].page_size
    )
    if filters.q:
        # A text search can look for a person: who searched for what is kept.
        await db.run(
            auth.audit,
            engine,
            _actor(request).username,
            "search",
            None,
            f"{filters.q} ({page.total})",
        )
    args = {k: v for k, v in request.query.items() if k != "page" and v}
    for row in page.rows:
        row["key"] = conversation_key(request, row["sender_id"])
        row["label"] = display_id(row["sender_id"])
    return {
        **base,
        "problems": [],
        "page": page,
        "filters": filters,
        "page_url": lambda n: "?" + urlencode({**args, "page": n}),
        "sort_url": lambda key: (
            "?"
            + urlencode(
                {
                    **{k: v for k, v in args.items() if k not in ("sort", "dir")},
                    "sort": key,
                    "dir": "asc" if filters.sort == key and filters.desc else "desc",
                }
            )
        ),
    }


async def _transcript_or_404(request: web.Request) -> tuple[str, dict[str, Any]]:
    sender_id = sender_from_key(request)
    data = await db.run(queries.transcript, request.app[ENGINE], sender_id)
    if data is None:
        raise web.HTTPNotFound(reason="No such conversation (it may have been deleted).")
    return sender_id, data


@aiohttp_jinja2.template("transcript.html")
async def transcript(request: web.Request) -> dict[str, Any]:
    """One conversation; every view is audit-logged."""
    sender_id, data = await _transcript_or_404(request)
    label = display_id(sender_id)
    await db.run(auth.audit, request.app[ENGINE], _actor(request).username, "view", label)
    return {
        **data,
        "key": request.match_info["key"],
        "label": label,
        "all_tags": queries.TAGS,
        "rtl_languages": ("ar", "fa"),
    }


async def tag(request: web.Request) -> web.Response:
    """Add or remove a tag."""
    sender_id = sender_from_key(request)
    form = await request.post()
    name = form.get("tag")
    if name not in queries.TAGS:
        raise web.HTTPBadRequest(reason="Bad request")
    engine = request.app[ENGINE]
    user = _actor(request)
    remove = form.get("remove") == "1"
    await db.run(_set_tag, engine, sender_id, str(name), user.username, remove)
    await db.run(
        auth.audit,
        engine,
        user.username,
        "untag" if remove else "tag",
        display_id(sender_id),
        str(name),
    )
    raise web.HTTPSeeOther(request.app.router["transcript"].url_for(key=request.match_info["key"]))


def _set_tag(engine: Any, sender_id: str, name: str, username: str, remove: bool) -> None:
    t = db.tags.c
    with engine.begin() as conn:
        conn.execute(db.tags.delete().where(t.sender_id == sender_id, t.tag == name))
        if not remove:
            conn.execute(
                db.tags.insert().values(
                    sender_id=sender_id, tag=name, created_by=username, created_at=time.time()
                )
            )


async def note(request: web.Request) -> web.Response:
    """Leave a note on a conversation."""
    sender_id = sender_from_key(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    if not text or len(text) > 4000:
        raise web.HTTPBadRequest(reason="Bad request")
    engine = request.app[ENGINE]
    user = _actor(request)

    def _add() -> None:
        with engine.begin() as conn:
            conn.execute(
                db.notes.insert().values(
                    sender_id=sender_id, author=user.username, text=text, created_at=time.time()
                )
            )

    await db.run(_add)
    await db.run(
        auth.audit, engine, user.username, "note", display_id(sender_id), f"{len(text)} chars"
    )
    raise web.HTTPSeeOther(request.app.router["transcript"].url_for(key=request.match_info["key"]))


@admin_only
async def delete(request: web.Request) -> web.Response:
    """Delete a conversation's events and console rows (audit-logged)."""
    sender_id = sender_from_key(request)
    engine = request.app[ENGINE]
    # Rasa's lock for this conversation: a turn being handled cannot write it back.
    async with conversation_lock(request.app[SETTINGS].lock_store, sender_id):
        n = await db.run(summary.delete_conversation, engine, sender_id)
    if n == 0:
        raise web.HTTPNotFound(reason="No such conversation (it may have been deleted).")
    await db.run(
        auth.audit,
        engine,
        _actor(request).username,
        "delete",
        display_id(sender_id),
        f"{n} events",
    )
    return aiohttp_jinja2.render_template(
        "message.html", request, {"message": "The conversation was deleted."}
    )


# -- misunderstood messages -----------------------------------------------------------------


@aiohttp_jinja2.template("misunderstood.html")
async def misunderstood(request: web.Request) -> dict[str, Any]:
    """Fallbacks and low-confidence messages, grouped by language, with intent assignment."""
    language = request.query.get("language") or None
    status = request.query.get("status") or "open"
    reason = request.query.get("reason") or None
    try:
        page = page_number(request.query.get("page"))
    except FormError as err:
        raise web.HTTPBadRequest(reason="; ".join(err.problems)) from err
    if (
        (language and language not in SUPPORTED)
        or status not in ("open", "assigned", "all")
        or (reason and reason not in summary.REASONS)
    ):
        raise web.HTTPBadRequest(reason="Bad request")
    await refresh_summary(request)
    size = request.app[SETTINGS].page_size
    rows, total, groups, per_reason = await db.run(
        queries.misunderstood, request.app[ENGINE], language, status, page, size, reason
    )
    for row in rows:
        row["label"] = display_id(row["sender_id"])
        row["key"] = conversation_key(request, row["sender_id"])
    args = {k: v for k, v in request.query.items() if k != "page" and v}
    return {
        "rows": rows,
        "total": total,
        "groups": groups,
        "language": language,
        "status": status,
        "reason": reason,
        "reasons": summary.REASONS,
        "per_reason": per_reason,
        "page": page,
        "pages": max(1, -(-total // size)),
        "page_url": lambda n: "?" + urlencode({**args, "page": n}),
        "intents": intents_by_label(request),
        "languages": SUPPORTED,
    }


async def assign(request: web.Request) -> web.Response:
    """A reviewer assigns the intent the message should have had."""
    form = await request.post()
    intent = str(form.get("intent", ""))
    if intent not in known_intents() or not request.match_info["event_id"].isdigit():
        raise web.HTTPBadRequest(reason="Bad request")
    event_id = int(request.match_info["event_id"])
    engine = request.app[ENGINE]
    user = _actor(request)

    def _assign() -> int:
        with engine.begin() as conn:
            return conn.execute(
                db.misunderstood.update()
                .where(db.misunderstood.c.event_id == event_id)
                .values(assigned_intent=intent, assigned_by=user.username, assigned_at=time.time())
            ).rowcount

    if await db.run(_assign) != 1:
        raise web.HTTPNotFound(reason="Not found")
    await db.run(auth.audit, engine, user.username, "assign", str(event_id), intent)
    back = str(form.get("back", ""))
    target = request.app.router["misunderstood"].url_for()
    raise web.HTTPSeeOther(target.with_query(back.lstrip("?")) if back.startswith("?") else target)


@admin_only
async def export_nlu(request: web.Request) -> web.Response:
    """Download the assigned messages of one language as Rasa NLU YAML (audit-logged)."""
    form = await request.post()
    language = str(form.get("language", ""))
    if language not in SUPPORTED:
        raise web.HTTPBadRequest(reason="Bad request")
    engine = request.app[ENGINE]
    text, count = await db.run(queries.nlu_yaml, engine, language)
    await db.run(
        auth.audit,
        engine,
        _actor(request).username,
        "export",
        f"nlu-{language}",
        f"{count} examples",
    )
    return web.Response(
        text=text,
        content_type="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="nlu-reviewed-{language}.yml"'},
    )


# -- analytics ------------------------------------------------------------------------------


def _range(query: Any) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(dt.timezone.utc).date()
    try:
        end = dt.date.fromisoformat(query.get("to")) if query.get("to") else today
        start = (
            dt.date.fromisoformat(query.get("from"))
            if query.get("from")
            else end - dt.timedelta(days=29)
        )
    except (ValueError, TypeError) as exc:
        raise web.HTTPBadRequest(reason="from: a date like 2026-01-31") from exc
    if start > end or (end - start).days > 3660:
        raise web.HTTPBadRequest(reason="from: from before to, at most ten years")
    return start, end


@aiohttp_jinja2.template("analytics.html")
async def analytics(request: web.Request) -> dict[str, Any]:
    """Charts of the aggregates (Chart.js, vendored)."""
    start, end = _range(request.query)
    await refresh_summary(request)
    data = await db.run(queries.analytics, request.app[ENGINE], start, end)
    t = request[aiohttp_jinja2.REQUEST_CONTEXT_KEY]["t"]
    return {"data": _chart_data(data, start, end, t), "start": start, "end": end, "raw": data}


def _chart_data(data: dict[str, Any], start: dt.date, end: dt.date, t: Any = str) -> dict[str, Any]:
    """Reshape the aggregates into Chart.js datasets (labels = every day in range).

    Codes (languages, channels, intents) become readable names through ``t``.
    """
    first = (start - dt.date(1970, 1, 1)).days
    days = list(range(first, first + (end - start).days + 1))
    labels = [queries.day_label(d) for d in days]

    def series(rows: list[tuple], value: int, kind: str) -> list[dict[str, Any]]:
        keys = sorted({r[1] or "?" for r in rows})
        table = {(r[0], r[1] or "?"): r[value] for r in rows}
        return [
            {
                "label": t(f"{kind}:{k}") if k != "?" else k,
                "data": [table.get((d, k), 0) for d in days],
            }
            for k in keys
        ]

    rates = {r[0]: (r[2] / r[1] if r[1] else 0) for r in data["fallback_rate"]}
    return {
        "labels": labels,
        "conversations_by_language": series(data["by_language"], 2, "lang"),
        "messages_by_language": series(data["by_language"], 3, "lang"),
        "conversations_by_channel": series(data["by_channel"], 2, "channel"),
        "fallback_rate": [round(rates.get(d, 0) * 100, 1) for d in days],
        "top_intents": [[t(f"intent:{r[0] or ''}"), r[1]] for r in data["top_intents"]],
        "top_cities": [[r[0], r[1]] for r in data["top_cities"]],
    }


#: Characters that make a spreadsheet read a cell as a formula (or a DDE call).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` (the
    OWASP advice); numbers stay numbers. Cities and channels come from users and clients.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list[Any]) -> None:
        """Write one row, neutralised."""
        self._writer.writerow([csv_cell(v) for v in row])


@admin_only
async def analytics_csv(request: web.Request) -> web.Response:
    """All aggregates of the range as one long-format CSV (audit-logged)."""
    form = await request.post()
    start, end = _range(form)
    data = await db.run(queries.analytics, request.app[ENGINE], start, end)
    out = io.StringIO()
    w = SafeCsvWriter(out)
    w.writerow(["metric", "day", "key", "key2", "value"])
    for day, lang, convs, msgs in data["by_language"]:
        w.writerow(["conversations_by_language", queries.day_label(day), lang or "", "", convs])
        w.writerow(["messages_by_language", queries.day_label(day), lang or "", "", msgs])
    for day, channel, convs, msgs in data["by_channel"]:
        w.writerow(["conversations_by_channel", queries.day_label(day), channel or "", "", convs])
        w.writerow(["messages_by_channel", queries.day_label(day), channel or "", "", msgs])
    for day, total, fallbacks in data["fallback_rate"]:
        w.writerow(["fallback_conversations", queries.day_label(day), "", "", fallbacks])
        w.writerow(["all_conversations", queries.day_label(day), "", "", total])
    for intent, n in data["top_intents"]:
        w.writerow(["intent_messages", "", intent or "", "", n])
    for city, n in data["top_cities"]:
        w.writerow(["conversations_by_city", "", city, "", n])
    for city, lang, n in data["unanswered"]:
        w.writerow(["unanswered", "", city or "", lang or "", n])
    await db.run(
        auth.audit,
        request.app[ENGINE],
        _actor(request).username,
        "export",
        "analytics-csv",
        f"{start}..{end}",
    )
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="wegweiser-{start}-{end}.csv"'},
    )


# -- admin ----------------------------------------------------------------------------------


@admin_only
@aiohttp_jinja2.template("directory.html")
async def directory(request: web.Request) -> dict[str, Any]:
    """Directory coverage and staleness, and which records users saw most (filterable)."""
    q = request.query
    only = directory_health.DirectoryFilter(
        city=q.get("city") or None, office_type=q.get("type") or None, gap=q.get("gap") or None
    )
    await refresh_summary(request)
    views = await db.run(queries.office_views, request.app[ENGINE])
    data = directory_health.health(views, dt.date.today(), only)
    if (
        (only.city and only.city not in data["cities"])
        or (only.office_type and only.office_type not in data["all_types"])
        or (only.gap and only.gap not in directory_health.GAP_KINDS)
    ):
        raise web.HTTPBadRequest(reason="Bad request")
    return data


@admin_only
@aiohttp_jinja2.template("users.html")
async def users(request: web.Request) -> dict[str, Any]:
    """Accounts: create, disable/enable, unlock, change role."""
    return {
        "users": await db.run(auth.list_users, request.app[ENGINE]),
        "roles": auth.ROLES,
        "message": request.query.get("message", ""),
        "now": time.time(),
    }


@admin_only
async def users_post(request: web.Request) -> web.Response:
    """Create an account, or change one (``id`` + ``op``)."""
    form = await request.post()
    engine = request.app[ENGINE]
    actor = _actor(request).username
    op = form.get("op")
    message = ""
    try:
        if op == "create":
            username = str(form.get("username", "")).strip()
            await db.run(
                auth.add_user,
                engine,
                username,
                str(form.get("password", "")),
                str(form.get("role", "")),
            )
            await db.run(auth.audit, engine, actor, "user-create", username, str(form.get("role")))
        elif op in ("disable", "enable", "unlock", "role") and str(form.get("id", "")).isdigit():
            uid = int(str(form["id"]))
            changes: dict[str, dict[str, Any]] = {
                "disable": {"active": False},
                "enable": {"active": True},
                "unlock": {"failed_logins": 0, "locked_until": None},
                "role": {"role": str(form.get("role", ""))},
            }
            values = changes[str(op)]
            if uid == _actor(request).id and op in ("disable", "role"):
                raise auth.UserError("You cannot disable or demote yourself.")
            await db.run(lambda: auth.update_user(engine, uid, **values))
            await db.run(auth.audit, engine, actor, f"user-{op}", str(uid), str(values))
        else:
            raise web.HTTPBadRequest(reason="Bad request")
    except auth.UserError as err:
        message = str(err)
    target = request.app.router["users"].url_for()
    raise web.HTTPSeeOther(target.with_query({"message": message}) if message else target)


@admin_only
@aiohttp_jinja2.template("audit.html")
async def audit_log(request: web.Request) -> dict[str, Any]:
    """Who viewed, tagged, deleted and exported what, newest first."""
    try:
        page = page_number(request.query.get("page"))
    except FormError as err:
        raise web.HTTPBadRequest(reason="; ".join(err.problems)) from err
    size = 50
    rows, total = await db.run(queries.audit_page, request.app[ENGINE], page, size)
    return {
        "rows": rows,
        "page": page,
        "pages": max(1, -(-total // size)),
        "page_url": lambda n: "?" + urlencode({"page": n}),
    }
