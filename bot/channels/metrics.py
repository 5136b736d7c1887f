"""``GET /metrics`` on the Rasa server, for Prometheus (bot.observability.metrics).

An input channel only because that is how Rasa 3.6 lets code add a route to its server;
it receives no messages. Keep it off the public reverse proxy (scrape it from inside).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.observability.metrics import exposition


class MetricsInput(InputChannel):
    """Serves the Prometheus text exposition at ``/metrics``."""

    @classmethod
    def name(cls) -> str:
        """Channel name in credentials.yml."""
        return "metrics"

    def url_prefix(self) -> str:
        """Mounted at the root, not under /webhooks/."""
        return "/metrics"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The one route."""
        metrics = Blueprint("wegweiser_metrics", __name__)

        @metrics.route("/", methods=["GET"])
        async def scrape(request: Request) -> HTTPResponse:
            body, content_type = exposition()
            return response.raw(body, content_type=content_type)

        return metrics
