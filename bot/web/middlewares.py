"""Security headers for every response, CORS for the widget's files."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web.settings import Settings
from bot.web.typedefs import SETTINGS

WIDGET_PREFIX = "/widget/"
#: One Referrer-Policy for the widget pages and the staff console: our URLs carry
#: nothing another site needs (console URLs even hold encrypted conversation keys).
REFERRER_POLICY = "no-referrer"


def apply_security_headers(response: web.StreamResponse, csp: str | None) -> None:
    """The headers every response of ours carries; shared by bot/web and bot/console.

    ``csp`` is the page's Content-Security-Policy (``None``: none, e.g. for data files).
    A CSP that forbids framing also gets the legacy ``X-Frame-Options: DENY``.
    """
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if csp:
        response.headers.setdefault("Content-Security-Policy", csp)
        if "frame-ancestors 'none'" in csp:
            response.headers.setdefault("X-Frame-Options", "DENY")


def content_security_policy(settings: Settings) -> str:
    """CSP of our own pages: only our files, and connections to Rasa's socket.io."""
    rasa = urlsplit(settings.rasa_url)
    ws_scheme = "wss" if rasa.scheme == "https" else "ws"
    connect = f"'self' {settings.rasa_url} {ws_scheme}://{rasa.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def origin_allowed(settings: Settings, origin: str | None) -> bool:
    """Whether a site at ``origin`` may embed the widget."""
    if not origin:
        return False
    return settings.allowed_origins == "*" or origin.rstrip("/") in settings.allowed_origins


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers that cost nothing and close common holes (sniffing, framing, referrers)."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    html = response.content_type == "text/html"
    apply_security_headers(
        response, content_security_policy(request.app[SETTINGS]) if html else None
    )
    if isinstance(response, web.HTTPException):
        raise response
    return response


@web.middleware
async def widget_cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let the allowed sites fetch the widget's data (strings.json) from their pages.

    Script and style tags need no CORS; the fetch() of the strings does. Other
    origins get no CORS header, so their pages cannot read the data.
    """
    response = await handler(request)
    if request.path.startswith(WIDGET_PREFIX):
        origin = request.headers.get("Origin")
        # Embedding sites load our files across origins.
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.headers["Vary"] = "Origin"
        if origin_allowed(request.app[SETTINGS], origin):
            response.headers["Access-Control-Allow-Origin"] = origin or ""
    return response
