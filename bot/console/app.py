"""Console app factory: only wiring (routes, templates, sessions, middlewares, lifecycle)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot.console import db, summary, views
from bot.console.auth import IpThrottle
from bot.console.display import bidi_isolate
from bot.console.middlewares import (
    COOKIE_NAME,
    auth_middleware,
    csrf_middleware,
    error_middleware,
    headers_middleware,
)
from bot.console.settings import ConsoleSettings
from bot.console.typedefs import ENGINE, REFRESH, SETTINGS, THROTTLE, URL_CIPHER

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
BERLIN = ZoneInfo("Europe/Berlin")
#: Background refresh of the summary and removal of rows whose events are gone.
BACKGROUND_EVERY = 30.0
PRUNE_EVERY = 10


def _when(epoch: float | None) -> str:
    if not epoch:
        return ""
    return dt.datetime.fromtimestamp(epoch, BERLIN).strftime("%Y-%m-%d %H:%M")


#: Phone-number-like digit runs (7+ digits, with spaces, dashes, slashes, dots or a leading +).
PHONE_LIKE = re.compile(r"\+?\d(?:[\s\-/.]?\d){6,}")


def mask_phones(text: str) -> str:
    """Replace phone-number-like digit runs in a user message with ``[PHONE]``.

    Defence in depth: text is redacted before storage (bot/privacy), but if a number
    slipped through, staff still never see it.
    """
    return PHONE_LIKE.sub("[PHONE]", text or "")


@jinja2.pass_context
def _decimal(context: Any, value: float | None) -> str:
    """A confidence with two decimals, with a decimal comma in the German UI."""
    if value is None:
        return ""
    text = f"{value:.2f}"
    return text.replace(".", ",") if context.get("lang") == "de" else text


def _hhmmss(epoch: float | None) -> str:
    return dt.datetime.fromtimestamp(epoch, BERLIN).strftime("%H:%M:%S") if epoch else ""


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Open the engine, migrate, and keep the summary fresh in the background."""
    engine = db.make_engine(app[SETTINGS].db_url)
    await db.run(db.migrate, engine)
    app[ENGINE] = engine

    lock = app[REFRESH].setdefault("lock", asyncio.Lock())

    async def keep_fresh() -> None:
        rounds = 0
        while True:
            try:
                async with lock:
                    await db.run(summary.refresh_all, engine)
                    # Pruning probes every conversation (costly at 100k+), so only
                    # every PRUNE_EVERY rounds; deleting code calls summary.forget() at once.
                    if rounds % PRUNE_EVERY == 0:
                        await db.run(summary.prune, engine)
                rounds += 1
            except Exception:  # an outage must not kill the loop; log and retry
                log.warning("console: summary refresh failed", exc_info=True)
            await asyncio.sleep(BACKGROUND_EVERY)

    task = asyncio.create_task(keep_fresh())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    engine.dispose()


def create_console_app(settings: ConsoleSettings) -> web.Application:
    """The staff console as an aiohttp app; mount it with ``add_subapp("/staff/", ...)``."""
    storage = EncryptedCookieStorage(
        settings.secret_key,
        cookie_name=COOKIE_NAME,
        httponly=True,
        samesite="Strict",
        path=settings.cookie_path,
        secure=settings.secure_cookie is True,
        # A browser-session cookie; idle time and lifetime are checked on the server
        # (auth.check_session), so an expired session gets a "please log in again" page.
        max_age=None,
    )
    app = web.Application(
        middlewares=[
            headers_middleware,
            error_middleware,
            session_middleware(storage),
            auth_middleware,
            csrf_middleware,
        ],
        client_max_size=256 * 1024,
    )
    app[SETTINGS] = settings
    app[THROTTLE] = IpThrottle(settings.login_attempts, settings.login_window)
    app[REFRESH] = {}
    url_key = hashlib.sha256(b"wegweiser-console-url" + settings.secret_key).digest()
    app[URL_CIPHER] = Fernet(base64.urlsafe_b64encode(url_key))
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True),
    )
    env.filters["when"] = _when
    env.filters["hhmmss"] = _hhmmss
    env.filters["mask_phones"] = mask_phones
    env.filters["bidi"] = bidi_isolate
    env.filters["decimal"] = _decimal
    env.globals["static"] = lambda name: app.router["static"].url_for(filename=name)
    app.cleanup_ctx.append(_lifecycle)

    r = app.router
    r.add_get("/", views.index, name="index")
    r.add_get("/login", views.login_page, name="login")
    r.add_post("/login", views.login, name="login_post")
    r.add_post("/logout", views.logout, name="logout")
    r.add_get("/account", views.account, name="account")
    r.add_post("/account", views.account_post, name="account_post")
    r.add_get("/conversations", views.conversations, name="conversations")
    r.add_get("/conversations/{key}", views.transcript, name="transcript")
    r.add_post("/conversations/{key}/tags", views.tag, name="tag")
    r.add_post("/conversations/{key}/notes", views.note, name="note")
    r.add_post("/conversations/{key}/delete", views.delete, name="delete")
    r.add_get("/misunderstood", views.misunderstood, name="misunderstood")
    r.add_post("/misunderstood/export", views.export_nlu, name="export_nlu")
    r.add_post("/misunderstood/{event_id}/assign", views.assign, name="assign")
    r.add_get("/analytics", views.analytics, name="analytics")
    r.add_post("/analytics.csv", views.analytics_csv, name="analytics_csv")
    r.add_get("/directory", views.directory, name="directory")
    r.add_get("/users", views.users, name="users")
    r.add_post("/users", views.users_post, name="users_post")
    r.add_get("/audit", views.audit_log, name="audit")
    r.add_static("/static/", HERE / "static", name="static")
    return app
