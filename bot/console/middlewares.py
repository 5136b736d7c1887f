"""Request pipeline: error pages, Secure cookies on HTTPS, login, roles and CSRF.

Security rules, each tested in tests/console:
- every page except login and static files needs a logged-in, active account;
- a session idle longer than ``session_idle`` is dropped (login page says so);
- handlers marked with :func:`admin_only` answer 403 to reviewers;
- every POST must carry the session's CSRF token (``csrf`` field), else 403;
- errors never show a stack trace: 4xx/5xx pages, 503 when the database is unreachable.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from aiohttp_session import get_session

from bot.console import auth, db
from bot.console.i18n import UI_LANGUAGES, translator
from bot.console.typedefs import ENGINE, SETTINGS

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC = frozenset({"login", "login_post", "static"})
COOKIE_NAME = "wegweiser_staff"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'"


def admin_only(handler: Handler) -> Handler:
    """Mark a view as admin-only (checked by :func:`auth_middleware`)."""
    handler.admin_only = True  # type: ignore[attr-defined]
    return handler


def _route_name(request: web.Request) -> str | None:
    route = request.match_info.route
    return getattr(getattr(route, "resource", None), "name", None)


def _preferred(request: web.Request) -> str:
    header = request.headers.get("Accept-Language", "").lower()
    for part in header.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in UI_LANGUAGES:
            return code
    return "de"


def set_ui_context(request: web.Request, session: Any | None) -> None:
    """Template globals: the user, UI language (``?ui=de|en`` sticks) + translator, CSRF."""
    lang = request.query.get("ui")
    if session is not None and lang in UI_LANGUAGES:
        session["lang"] = lang
    lang = (session or {}).get("lang") or _preferred(request)
    request[aiohttp_jinja2.REQUEST_CONTEXT_KEY] = {
        "user": request.get("user"),
        "lang": lang,
        "t": translator(lang),
        "csrf": (session or {}).get("csrf", ""),
        "request": request,
    }


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    """A plain, translated error page (never a traceback)."""
    if aiohttp_jinja2.REQUEST_CONTEXT_KEY not in request:
        set_ui_context(request, None)
    return aiohttp_jinja2.render_template(
        "error.html", request, {"status": status, "message": message}, status=status
    )


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn exceptions into pages: 4xx as they are, DB outages 503, anything else 500."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error_page(request, exc.status, exc.reason)
        raise
    except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError):
        log.warning("console: database unreachable", exc_info=True)
        return error_page(
            request,
            503,
            "The database is not reachable right now. Please try again in a minute.",
        )
    except Exception:
        log.exception("console: unhandled error on %s", request.path)
        return error_page(request, 500, "Something went wrong. The error was logged.")


@web.middleware
async def secure_cookie_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Mark the session cookie ``Secure`` when configured, or when the request used HTTPS."""
    response = await handler(request)
    # Scripts and styles only from our own static files: a stored <script> cannot run.
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    setting = request.app[SETTINGS].secure_cookie
    https = request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
    if COOKIE_NAME in response.cookies and (setting or (setting is None and https)):
        response.cookies[COOKIE_NAME]["secure"] = True
    return response


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a live session for every non-public page; enforce idle timeout and roles."""
    session = await get_session(request)
    session.setdefault("csrf", secrets.token_urlsafe(32))
    request["user"] = None
    set_ui_context(request, session)
    name = _route_name(request)
    if name in PUBLIC:
        return await handler(request)
    now = time.time()
    uid = session.get("uid")
    idle = request.app[SETTINGS].session_idle
    if uid is None or now - session.get("seen", 0) > idle:
        expired = uid is not None
        lang = session.get("lang")
        session.clear()
        session["csrf"] = secrets.token_urlsafe(32)
        if lang:
            session["lang"] = lang
        login = request.app.router["login"].url_for()
        raise web.HTTPSeeOther(login.with_query({"expired": "1"} if expired else {}))
    user = await db.run(_load_user, request.app[ENGINE], uid)
    if user is None:
        session.clear()
        raise web.HTTPSeeOther(request.app.router["login"].url_for())
    session["seen"] = now
    request["user"] = user
    set_ui_context(request, session)
    if getattr(request.match_info.handler, "admin_only", False) and not user.is_admin:
        raise web.HTTPForbidden(reason="This page needs the admin role.")
    return await handler(request)


def _load_user(engine: Any, uid: int) -> auth.User | None:
    u = db.users.c
    with engine.connect() as conn:
        row = conn.execute(sa.select(u.id, u.username, u.role, u.active).where(u.id == uid)).first()
    if row is None or not row.active:
        return None
    return auth.User(row.id, row.username, row.role)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request must echo the session's CSRF token."""
    if request.method == "POST":
        session = await get_session(request)
        form = await request.post()
        sent = form.get("csrf")
        expected = session.get("csrf")
        if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
            raise web.HTTPForbidden(
                reason="The form expired or was not sent from this console. "
                "Please reload the page and try again."
            )
    return await handler(request)
