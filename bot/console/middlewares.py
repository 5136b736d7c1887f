"""Request pipeline: headers and Secure cookies, error pages, login, roles and CSRF.

Security rules, each tested in tests/console:
- every response (redirects and error pages too) carries the security headers, the session
  cookie is ``Secure`` on HTTPS, and every page except static files is ``no-store``;
- every page except login and static files needs a logged-in, active account;
- sessions live on the server (``console_sessions``): a session idle longer than
  ``session_idle`` or older than ``session_lifetime`` ends (login page says so), and
  logout, a password change or disabling the account end it for every copy of the cookie;
- handlers marked with :func:`admin_only` answer 403 to reviewers;
- every POST must carry the session's CSRF token (``csrf`` field), else 403;
- errors never show a stack trace: 4xx/5xx pages, 503 when the database is unreachable.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from aiohttp_session import get_session

from bot.console import auth, db
from bot.console.i18n import UI_LANGUAGES, translator
from bot.console.typedefs import ENGINE, SETTINGS
from bot.web.middlewares import apply_security_headers

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC = frozenset({"login", "login_post", "static"})
COOKIE_NAME = "wegweiser_staff"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


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
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers, ``no-store`` and the cookie's ``Secure`` flag on every response.

    Outermost, and it also handles raised redirects (``HTTPSeeOther`` after login, logout
    and every form): those carry the session cookie too, and a response that skipped
    this middleware would set it without ``Secure``.
    """
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    # Scripts and styles only from our own static files: a stored <script> cannot run.
    apply_security_headers(response, CSP)
    if _route_name(request) != "static":
        # Transcripts, lists and exports hold personal data: never keep them in a cache.
        response.headers["Cache-Control"] = "no-store"
    setting = request.app[SETTINGS].secure_cookie
    https = request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
    if COOKIE_NAME in response.cookies and (setting or (setting is None and https)):
        response.cookies[COOKIE_NAME]["secure"] = True
    if isinstance(response, web.HTTPException):
        raise response
    return response


def _restart_session(session: Any) -> None:
    """Empty the cookie session but keep the UI language and a fresh CSRF token."""
    lang = session.get("lang")
    session.clear()
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a live server-side session for every non-public page; enforce roles."""
    session = await get_session(request)
    session.setdefault("csrf", secrets.token_urlsafe(32))
    request["user"] = None
    set_ui_context(request, session)
    name = _route_name(request)
    if name in PUBLIC:
        return await handler(request)
    sid = session.get("sid")
    login = request.app.router["login"].url_for()
    if not isinstance(sid, str):
        _restart_session(session)
        raise web.HTTPSeeOther(login)
    settings = request.app[SETTINGS]
    user, _why = await db.run(
        auth.check_session,
        request.app[ENGINE],
        sid,
        settings.session_idle,
        settings.session_lifetime,
    )
    if user is None:
        # Expired, logged out elsewhere, password changed or account disabled.
        _restart_session(session)
        raise web.HTTPSeeOther(login.with_query({"expired": "1"}))
    request["user"] = user
    set_ui_context(request, session)
    if getattr(request.match_info.handler, "admin_only", False) and not user.is_admin:
        raise web.HTTPForbidden(reason="This page needs the admin role.")
    return await handler(request)


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
