"""What every messenger connector needs: safe webhooks, replies, pseudonyms.

The four messenger channels (Telegram, Messenger, WhatsApp via Twilio, WhatsApp
via Meta's Cloud API) share the same duties, collected here so each connector
module only speaks its platform's protocol:

* configuration from credentials.yml with environment-variable fallbacks; a
  channel without its secrets is *disabled* (its webhook answers 503) instead of
  stopping Rasa, so ``make run`` works with no messenger configured;
* one blueprint for all: ``GET /`` (health), ``POST /webhook`` (503 while disabled,
  a per-IP rate limit with 429, then the connector's :meth:`WebhookInput.receive`);
  Meta's two platforms (Messenger, WhatsApp Cloud API) share their protocol in
  :class:`MetaWebhookInput` (verification GET, ``X-Hub-Signature-256``);
* webhook hygiene: a body size limit (413), JSON that must parse (400), signature
  checks (403), replays dropped by message id;
* acknowledging at once and handling the message in a background task, because
  platforms retry (and then duplicate) slow webhooks;
* pseudonymous sender ids (bot.privacy.pseudonyms) and the per-user numbered button
  menus for platforms without enough native buttons;
* one aiohttp client session per channel, opened on the first reply: nothing is
  sent to a platform when Rasa starts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import random
import secrets
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import Forbidden, InvalidUsage, PayloadTooLarge, ServiceUnavailable
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import (
    REQUEST_MAX_BYTES,
    cap_request_size,
    client_ip,
    rate_limiter,
    too_many_requests,
)
from bot.languages import DEFAULT, is_supported, normalise_code
from bot.privacy.pseudonyms import Pseudonyms, environment_key
from bot.responses import language_file

logger = logging.getLogger(__name__)

#: Largest accepted webhook body (bytes) unless a channel sets ``max_body_bytes``
#: (Sanic's server-wide cap, bot.channels.limits, applies first).
DEFAULT_MAX_BODY_BYTES = REQUEST_MAX_BYTES

#: Webhook requests per client IP unless a channel sets ``rate_limit``: generous,
#: because a platform delivers every user's messages from a few addresses.
DEFAULT_RATE = "600/min"

#: Meta's Graph API (Messenger Send API, WhatsApp Cloud API) unless configured.
GRAPH_API_BASE_URL = "https://graph.facebook.com"
GRAPH_API_VERSION = "v21.0"

#: Reply for stickers, photos, voice notes, locations ... (data/responses/channels/).
ONLY_TEXT_RESPONSE = "utter_only_text"

#: Timeout for one call to a platform API.
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20)

#: Tries per outgoing call when the platform fails (5xx, 429, network), and the backoff.
SEND_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.5
RETRY_MAX_SECONDS = 4.0

#: Messages a channel handles at once at most (each waits for Rasa and the platform).
#: Beyond it new ones are dropped with an error log: a slow platform must not make
#: the process grow without bound.
MAX_PENDING = 1000

NewMessageHandler = Callable[[UserMessage], Awaitable[Any]]


def setting(
    credentials: Mapping[str, Any] | None, key: str, env: str, default: str | None = None
) -> str | None:
    """``credentials[key]`` if set, else ``$env``, else ``default`` (empty counts as unset)."""
    value = (credentials or {}).get(key)
    if value not in (None, ""):
        return str(value)
    return os.environ.get(env) or default


def read_body(request: Request, limit: int) -> bytes:
    """The raw request body, or 413 when it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    body = request.body or b""
    if (declared and declared.isdigit() and int(declared) > limit) or len(body) > limit:
        raise PayloadTooLarge(f"request body larger than {limit} bytes")
    return body


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or 400."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidUsage("request body is not valid JSON") from error
    if not isinstance(data, dict):
        raise InvalidUsage("request body must be a JSON object")
    return data


def verify_subscription(request: Request, verify_token: str | None) -> HTTPResponse:
    """Meta's webhook check: echo hub.challenge if mode and token match, else 403."""
    args = request.args
    if (
        verify_token
        and args.get("hub.mode") == "subscribe"
        and hmac.compare_digest(str(args.get("hub.verify_token") or ""), verify_token)
    ):
        return response.text(str(args.get("hub.challenge") or ""))
    raise Forbidden("verification failed")


def hub_signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """Check Meta's ``X-Hub-Signature-256: sha256=<hex hmac of the raw body>``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def as_object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one.

    Platform payloads are read field by field; an optional field of the wrong type
    (a string where an object belongs) must read as absent, not raise.
    """
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, an empty list if absent; 400 for anything else."""
    if value is None:
        return []
    require(isinstance(value, list), "expected a list")
    return list(value)


def as_text(value: Any) -> str | None:
    """``value`` if it is a non-blank string, else ``None``."""
    return value if isinstance(value, str) and value.strip() else None


def require(condition: bool, problem: str) -> None:
    """400 with ``problem`` unless ``condition`` holds (for webhook payload shapes)."""
    if not condition:
        raise InvalidUsage(problem)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    Cuts at a paragraph break, else a line break, else a space, so words and
    phone numbers stay whole; only a single word longer than ``limit`` is cut.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = next(
            (i for sep in ("\n\n", "\n", " ") if (i := window.rfind(sep)) > limit // 2),
            window.rfind(" "),
        )
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def numbered_list(text: str, buttons: list[dict[str, Any]]) -> str:
    """The text followed by the button titles as a list ``1. title`` to answer by digit."""
    lines = [f"{index}. {button.get('title', '')}" for index, button in enumerate(buttons, 1)]
    return (text.rstrip() + "\n\n" if text else "") + "\n".join(lines)


def parse_choice(text: str) -> int | None:
    """The number in a digit-only answer ("2", " 3 ", Arabic-Indic "٢", Persian "۲")."""
    stripped = text.strip().rstrip(".)")
    if not stripped or len(stripped) > 3:
        return None
    try:
        return int("".join(str(unicodedata.digit(char)) for char in stripped))
    except (TypeError, ValueError):
        return None


class RecentIds:
    """Message ids seen lately, to drop replayed webhook deliveries."""

    def __init__(self, capacity: int = 50_000, ttl_seconds: float = 24 * 3600) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl_seconds

    def first_time(self, message_id: str) -> bool:
        """True the first time ``message_id`` is offered, False for a repeat."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self._capacity or next(iter(self._seen.values())) < now - self._ttl
        ):
            self._seen.popitem(last=False)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now
        return True


class ButtonMenus:
    """The numbered button list last sent to each user, so "2" can mean button 2.

    Memory only, keyed by pseudonym, forgotten after ``ttl_seconds``.
    """

    def __init__(self, capacity: int = 100_000, ttl_seconds: float = 24 * 3600) -> None:
        self._menus: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl_seconds

    def remember(self, user: str, payloads: list[str]) -> None:
        """Store the payloads of the list just sent to ``user``."""
        self._menus[user] = (time.monotonic(), payloads)
        self._menus.move_to_end(user)
        while len(self._menus) > self._capacity:
            self._menus.popitem(last=False)

    def forget(self, user: str) -> None:
        """Drop ``user``'s list (new native buttons replaced it)."""
        self._menus.pop(user, None)

    def resolve(self, user: str, text: str) -> str | None:
        """The payload a digit answer stands for, or None if ``text`` is no valid choice."""
        choice = parse_choice(text)
        entry = self._menus.get(user)
        if choice is None or entry is None:
            return None
        sent, payloads = entry
        if time.monotonic() - sent > self._ttl or not 1 <= choice <= len(payloads):
            return None
        return payloads[choice - 1]


def only_text_reply(language: str | None) -> str:
    """The "I only understand text" message in ``language`` (default language if unknown)."""
    code = language if is_supported(language) else DEFAULT
    return language_file(code)["responses"][ONLY_TEXT_RESPONSE][0]["text"]


class WebhookOutput(OutputChannel):
    """Output channel base: resolves pseudonyms and posts through the shared session."""

    def __init__(self, channel: WebhookInput) -> None:
        self.channel = channel

    def recipient(self, alias: str) -> str | None:
        """The platform id behind the pseudonym, if known to this process."""
        real = self.channel.pseudonyms.platform_id(alias)
        if real is None:
            logger.warning("%s: no platform id in memory for %s; reply dropped", self.name(), alias)
        return real

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Structured payloads (the web widget's office card) are not shown as raw JSON.

        The text that comes with them already carries the same facts; a payload
        with its own ``text`` is sent as that text.
        """
        text = json_message.get("text")
        if isinstance(text, str) and text.strip():
            await self.send_text_message(recipient_id, text)

    async def post(self, url: str, **kwargs: Any) -> dict[str, Any] | None:
        """POST to the platform, retrying a 5xx, 429 or network failure with backoff.

        At most :data:`SEND_ATTEMPTS` tries, pausing :func:`retry_delay` between them
        (a platform's ``Retry-After`` wins), so one reply waits ~8 s at most and a
        platform outage cannot pile up retries. Other errors (4xx: our request is
        wrong) are not retried. Logs without personal data; returns None on failure.
        """
        for attempt in range(1, SEND_ATTEMPTS + 1):
            delay = retry_delay(attempt)
            try:
                session = await self.channel.http()
                async with session.post(url, **kwargs) as response:
                    text = await response.text()
                    if response.status < 300:
                        try:
                            return json.loads(text) if text else {}
                        except ValueError:
                            return {}
                    logger.error("%s API answered %s: %s", self.name(), response.status, text[:300])
                    if response.status < 500 and response.status != 429:
                        return None
                    delay = retry_after(response.headers.get("Retry-After"), delay)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error("%s API unreachable: %r", self.name(), error)
            if attempt < SEND_ATTEMPTS:
                await asyncio.sleep(delay)
        logger.error("%s: reply dropped after %d attempts", self.name(), SEND_ATTEMPTS)
        return None


def retry_delay(attempt: int) -> float:
    """Pause after failed attempt ``attempt`` (1, 2, ...): exponential with jitter, capped."""
    base = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)
    return base * (0.5 + random.random() / 2)


def retry_after(header: str | None, default: float) -> float:
    """The platform's ``Retry-After`` seconds (capped), else ``default``."""
    if header and header.strip().isdigit():
        return min(float(header.strip()), RETRY_MAX_SECONDS)
    return default


class WebhookInput(InputChannel):
    """Input channel base with the shared webhook duties (see module docstring).

    A connector implements :meth:`receive` (the POST after the shared checks) and
    may add routes in :meth:`routes`.
    """

    #: Environment variable names of the required secrets, for the "disabled" message.
    required: tuple[str, ...] = ()

    def __init__(
        self, enabled: bool, max_body_bytes: int | None = None, rate_limit: Any = None
    ) -> None:
        self.enabled = enabled
        self.max_body_bytes = max_body_bytes or DEFAULT_MAX_BODY_BYTES
        self.limiter = rate_limiter(rate_limit, DEFAULT_RATE)
        # A disabled channel never sees a user id, so it needs (and creates) no key.
        key = environment_key() if enabled else secrets.token_bytes(32)
        self.pseudonyms = Pseudonyms(self.name(), key)
        self.recent = RecentIds()
        self.menus = ButtonMenus()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()
        if not enabled:
            logger.info(
                "%s channel disabled: set %s to enable it", self.name(), ", ".join(self.required)
            )

    @staticmethod
    def body_limit(credentials: Mapping[str, Any] | None) -> int | None:
        """The ``max_body_bytes`` credentials key, if given."""
        value = (credentials or {}).get("max_body_bytes")
        return int(value) if value else None

    @staticmethod
    def rate_setting(credentials: Mapping[str, Any] | None) -> Any:
        """The ``rate_limit`` credentials key (e.g. ``"600/min"``, ``off``), if given."""
        return (credentials or {}).get("rate_limit")

    def check_enabled(self) -> None:
        """503 while the channel's secrets are missing."""
        if not self.enabled:
            raise ServiceUnavailable(f"{self.name()} channel is not configured")

    async def receive(self, request: Request, on_new_message: NewMessageHandler) -> HTTPResponse:
        """Handle one webhook POST (authenticated by the connector) and acknowledge it."""
        raise NotImplementedError

    def routes(self, blueprint: Blueprint) -> None:
        """Add platform-specific routes (none by default)."""

    def blueprint(self, on_new_message: NewMessageHandler) -> Blueprint:
        """Routes: GET / (health), POST /webhook, and the connector's own :meth:`routes`."""
        bp = Blueprint(f"wegweiser_{self.name()}", __name__)
        cap_request_size(bp)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            self.check_enabled()
            return too_many_requests(self.limiter, client_ip(request)) or await self.receive(
                request, on_new_message
            )

        self.routes(bp)

        @bp.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            await self.close()

        return bp

    async def http(self) -> aiohttp.ClientSession:
        """The channel's client session, created on first use (not at start-up)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
        return self._session

    async def close(self) -> None:
        """Close the client session (server shutdown)."""
        if self._session is not None:
            await self._session.close()

    def in_background(self, work: Awaitable[Any], what: str) -> None:
        """Run ``work`` after the webhook was acknowledged; log failures, never raise."""
        if len(self._tasks) >= MAX_PENDING:
            close = getattr(work, "close", None)
            if close is not None:
                close()  # never awaited: avoid the "coroutine was never awaited" warning
            logger.error("%s: %d messages pending; %s dropped", self.name(), MAX_PENDING, what)
            return

        async def guarded() -> None:
            try:
                await work
            except Exception:  # a broken message must not take the channel down
                logger.exception("%s: failed to handle %s", self.name(), what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)  # keep a reference until done (asyncio holds only weak ones)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def language_metadata(code: str | None) -> dict[str, Any] | None:
        """Channel metadata with the platform's language hint, as the NLU expects it."""
        language = normalise_code(code)
        return {"language": language} if language else None

    def handle_text(
        self,
        on_new_message: NewMessageHandler,
        output: OutputChannel,
        sender: str,
        text: str,
        language: str | None = None,
    ) -> None:
        """Pass a text (or button payload) to Rasa in the background.

        No platform message id is passed on: some (WhatsApp's wamid) encode the
        phone number, and Rasa would store it in the tracker.
        """
        payload = self.menus.resolve(sender, text)
        message = UserMessage(
            payload or text,
            output,
            sender,
            input_channel=self.name(),
            metadata=self.language_metadata(language),
        )
        self.in_background(on_new_message(message), "a message")

    def handle_non_text(
        self, request: Request, output: OutputChannel, sender: str, language: str | None
    ) -> None:
        """Tell the user, in their language, that only text is understood for now.

        Not a dialogue turn (nothing is stored): the conversation's language comes
        from the tracker if there is one, else from the platform's hint.
        """

        async def reply() -> None:
            code = normalise_code(language)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is not None and agent.tracker_store is not None:
                tracker = await agent.tracker_store.retrieve(sender)
                if tracker is not None and is_supported(tracker.get_slot("language")):
                    code = tracker.get_slot("language")
            await output.send_response(sender, {"text": only_text_reply(code)})

        self.in_background(reply(), "a non-text message")


#: A Graph API call: the path after the version, and the JSON body.
GraphRequest = tuple[str, dict[str, Any]]


class GraphOutput(WebhookOutput):
    """Output base of Meta's platforms: each message is one Graph API call for one user."""

    channel: MetaWebhookInput

    def graph_request(self, platform_id: str, message: dict[str, Any]) -> GraphRequest:
        """The call that sends ``message`` to the user ``platform_id``."""
        raise NotImplementedError

    async def _send(self, alias: str, message: dict[str, Any]) -> None:
        platform_id = self.recipient(alias)
        if platform_id is None:
            return
        path, body = self.graph_request(platform_id, message)
        channel = self.channel
        await self.post(
            f"{channel.api_base_url}/{channel.api_version}/{path}",
            json=body,
            headers={"Authorization": f"Bearer {channel.graph_token}"},
        )


class MetaWebhookInput(WebhookInput):
    """Meta's webhook protocol, shared by Messenger and the WhatsApp Cloud API.

    GET /webhook answers the subscription check; POST /webhook needs
    ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret, 403
    otherwise) and a JSON object, which :meth:`handle_payload` then acts on. Replies
    go to the Graph API at ``api_base_url``/``api_version``.
    """

    #: Prefix of the channel's environment variables (``MESSENGER``, ``WHATSAPP``).
    env_prefix = ""
    #: The access token for the Graph API (set by the subclass).
    graph_token: str | None = None

    def __init__(
        self,
        enabled: bool,
        app_secret: str | None,
        verify_token: str | None,
        api_base_url: str | None = None,
        api_version: str | None = None,
        max_body_bytes: int | None = None,
        rate_limit: Any = None,
    ) -> None:
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.api_base_url = (api_base_url or GRAPH_API_BASE_URL).rstrip("/")
        self.api_version = api_version or GRAPH_API_VERSION
        super().__init__(enabled, max_body_bytes, rate_limit)

    @classmethod
    def meta_settings(cls, credentials: Mapping[str, Any] | None) -> dict[str, Any]:
        """The keys both platforms share, from credentials.yml or ``$<env_prefix>_...``."""
        prefix = cls.env_prefix
        return {
            "app_secret": setting(credentials, "app_secret", f"{prefix}_APP_SECRET"),
            "verify_token": setting(credentials, "verify_token", f"{prefix}_VERIFY_TOKEN"),
            "api_base_url": setting(credentials, "api_base_url", f"{prefix}_API_BASE_URL"),
            "api_version": setting(credentials, "api_version", f"{prefix}_API_VERSION"),
            "max_body_bytes": cls.body_limit(credentials),
            "rate_limit": cls.rate_setting(credentials),
        }

    def routes(self, blueprint: Blueprint) -> None:
        """GET /webhook: Meta's subscription check."""

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            self.check_enabled()
            return verify_subscription(request, self.verify_token)

    async def receive(self, request: Request, on_new_message: NewMessageHandler) -> HTTPResponse:
        """Check size and signature, parse, hand the payload to :meth:`handle_payload`."""
        body = read_body(request, self.max_body_bytes)
        signature = request.headers.get("X-Hub-Signature-256")
        if not hub_signature_valid(str(self.app_secret), body, signature):
            raise Forbidden("missing or wrong X-Hub-Signature-256")
        return self.handle_payload(request, parse_json_object(body), on_new_message)

    def handle_payload(
        self, request: Request, data: dict[str, Any], on_new_message: NewMessageHandler
    ) -> HTTPResponse:
        """Act on a verified payload and return the acknowledgement."""
        raise NotImplementedError
