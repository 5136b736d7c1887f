"""Compatibility fix for the pinned aiohttp 3.9.5 with the pinned yarl 1.25.1.

aiohttp 3.9.5 builds ``request.url`` with ``URL.build(host=<Host header>)``; yarl >= 1.10
rejects a host with a port ("localhost:8080"), so every request that touches ``request.url``
fails with a 500 — including routing into sub-applications (``add_subapp``), which the
console needs. Later aiohttp releases build the URL from the *authority* instead; this
applies the same change. Neither pin can move (Rasa 3.6 caps aiohttp), hence the patch.
"""

from __future__ import annotations

from aiohttp import web_request
from aiohttp.helpers import reify
from yarl import URL


def _url(self: web_request.BaseRequest) -> URL:
    try:
        base = URL.build(scheme=self.scheme, authority=self.host)
    except ValueError:  # a garbage Host header must not turn into a 500
        base = URL.build(scheme=self.scheme, host="invalid-host")
    return base.join(self._rel_url)


def patch_request_url() -> None:
    """Make ``BaseRequest.url`` accept ``host:port`` (idempotent)."""
    web_request.BaseRequest.url = reify(_url)  # type: ignore[assignment,method-assign]
