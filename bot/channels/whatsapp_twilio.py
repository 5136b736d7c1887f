"""WhatsApp (or SMS) through Twilio's Messaging API.

Replaces Rasa's built-in ``twilio`` channel, which never checks Twilio's
signature, sends with the synchronous Twilio client inside the event loop and
stores the phone number as the conversation id. This one keeps the URL
(/webhooks/twilio/webhook) and the channel name ``twilio`` but:

* validates ``X-Twilio-Signature`` with Twilio's own algorithm
  (twilio.request_validator: HMAC-SHA1 over the public webhook URL and the sorted
  form parameters) and answers a missing or wrong one with 403. The URL must be
  configured (``TWILIO_WEBHOOK_URL``): without it the channel stays disabled rather
  than trust the request's Host header. Bodies over 16 KiB (413) or with more than
  200 fields (400) are refused before parsing and signing, and the check runs in
  a worker thread, so a hostile request cannot stall the event loop;
* acknowledges at once, handles messages in the background, drops replayed
  MessageSids, and sends through aiohttp (POST .../Messages.json, form encoded);
* shows buttons as a numbered list the user answers with a digit (WhatsApp's
  native buttons need pre-approved Content templates on Twilio), splits texts at
  Twilio's 1600-character limit;
* stores only a pseudonym of the phone number.

credentials.yml keys (environment fallback): ``account_sid`` ($TWILIO_ACCOUNT_SID),
``auth_token`` ($TWILIO_AUTH_TOKEN), ``twilio_number`` ($TWILIO_WHATSAPP_NUMBER,
e.g. ``whatsapp:+4930...``), ``webhook_url`` ($TWILIO_WEBHOOK_URL: the public URL
registered at Twilio; required, because the signature covers it), ``api_base_url``
($TWILIO_API_BASE_URL, default https://api.twilio.com), ``max_body_bytes`` (default
16 KiB), ``rate_limit`` (per IP, default ``600/min``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.exceptions import Forbidden, InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.webhook import (
    NewMessageHandler,
    WebhookInput,
    WebhookOutput,
    numbered_list,
    read_body,
    require,
    setting,
    split_text,
)

API_BASE_URL = "https://api.twilio.com"
TEXT_LIMIT = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
#: Twilio's webhooks are a few dozen short fields (up to 10 media URLs): 16 KiB and
#: 200 fields leave room, and keep parsing and signing a hostile body cheap.
DEFAULT_MAX_BODY_BYTES = 16 * 1024
MAX_FIELDS = 200


class FormParams(dict):
    """Form fields, name -> list of values, blank values kept.

    Sanic's ``request.form`` drops blank fields, but Twilio signs them too (an
    image arrives with ``Body=``), so the body is parsed here. ``getlist`` is what
    twilio's RequestValidator uses for multi-valued fields.
    """

    @classmethod
    def parse(cls, body: bytes) -> FormParams:
        """Parse an application/x-www-form-urlencoded body (400 if it is not one)."""
        try:
            text = body.decode()
        except UnicodeDecodeError as error:
            raise InvalidUsage("form body is not UTF-8") from error
        try:
            return cls(parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS))
        except ValueError as error:  # more than MAX_FIELDS fields
            raise InvalidUsage(f"form body has more than {MAX_FIELDS} fields") from error

    def get(self, name: str, default: Any = None) -> Any:
        """The first value of ``name``."""
        values = super().get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        """All values of ``name``."""
        return super().get(name) or []


class TwilioOutput(WebhookOutput):
    """Sends replies with POST /2010-04-01/Accounts/{sid}/Messages.json."""

    channel: TwilioInput

    @classmethod
    def name(cls) -> str:
        """Output channel name, used by channel-specific response variations."""
        return "twilio"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, in parts of at most 1600 characters."""
        number = self.recipient(recipient_id)
        if number is None:
            return
        channel = self.channel
        url = f"{channel.api_base_url}/2010-04-01/Accounts/{channel.account_sid}/Messages.json"
        for piece in split_text(text, TEXT_LIMIT):
            await self.post(
                url,
                data={"From": channel.twilio_number, "To": number, "Body": piece},
                auth=aiohttp.BasicAuth(str(channel.account_sid), str(channel.auth_token)),
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """A numbered list; the user's digit is mapped back to the button's payload."""
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        self.channel.menus.remember(recipient_id, payloads)
        await self.send_text_message(recipient_id, numbered_list(text, buttons))


class TwilioInput(WebhookInput):
    """Webhook for incoming Twilio messages (WhatsApp sender or SMS number)."""

    required = (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_WHATSAPP_NUMBER",
        "TWILIO_WEBHOOK_URL",
    )

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/twilio/ and input channel name (as Rasa's built-in)."""
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> TwilioInput:
        """Read the keys of credentials.yml, falling back to the environment."""
        return cls(
            account_sid=setting(credentials, "account_sid", "TWILIO_ACCOUNT_SID"),
            auth_token=setting(credentials, "auth_token", "TWILIO_AUTH_TOKEN"),
            twilio_number=setting(credentials, "twilio_number", "TWILIO_WHATSAPP_NUMBER"),
            webhook_url=setting(credentials, "webhook_url", "TWILIO_WEBHOOK_URL"),
            api_base_url=setting(credentials, "api_base_url", "TWILIO_API_BASE_URL", API_BASE_URL),
            max_body_bytes=cls.body_limit(credentials),
            rate_limit=cls.rate_setting(credentials),
        )

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        webhook_url: str | None = None,
        api_base_url: str | None = API_BASE_URL,
        max_body_bytes: int | None = None,
        rate_limit: Any = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.webhook_url = webhook_url
        self.api_base_url = (api_base_url or API_BASE_URL).rstrip("/")
        # No webhook URL, no channel: the signature covers the URL Twilio called, and
        # the request's own Host header is the attacker's to choose.
        enabled = bool(account_sid and auth_token and twilio_number and webhook_url)
        super().__init__(enabled, max_body_bytes or DEFAULT_MAX_BODY_BYTES, rate_limit)

    def get_output_channel(self) -> OutputChannel:
        """A sender for replies (no network call here)."""
        return TwilioOutput(self)

    def parse_signed(self, body: bytes, signature: str | None) -> FormParams:
        """The form, if ``signature`` is Twilio's over the webhook URL and it (else 403)."""
        form = FormParams.parse(body)
        validator = RequestValidator(str(self.auth_token))
        if not signature or not validator.validate(str(self.webhook_url), form, signature):
            raise Forbidden("missing or wrong X-Twilio-Signature")
        return form

    async def receive(self, request: Request, on_new_message: NewMessageHandler) -> HTTPResponse:
        """A signed form post; replayed MessageSids are dropped."""
        body = read_body(request, self.max_body_bytes)  # 413 before any parsing
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            raise Forbidden("missing X-Twilio-Signature")
        # Parsing and HMAC take a few milliseconds at most; in a thread they take none
        # of the event loop's time, whatever the body.
        loop = asyncio.get_running_loop()
        form = await loop.run_in_executor(None, self.parse_signed, body, signature)
        sender_number = form.get("From")
        require(isinstance(sender_number, str) and sender_number != "", "From missing")
        message_sid = form.get("MessageSid") or form.get("SmsMessageSid")
        require(isinstance(message_sid, str) and message_sid != "", "MessageSid missing")
        if self.recent.first_time(message_sid):
            self._dispatch(request, form, on_new_message)
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def _dispatch(
        self, request: Request, form: FormParams, on_new_message: NewMessageHandler
    ) -> None:
        sender = self.pseudonyms.pseudonymise(form.get("From"))
        output = TwilioOutput(self)
        # ButtonPayload: a tap on a template quick-reply button.
        text = form.get("ButtonPayload") or form.get("Body") or ""
        if text.strip():
            self.handle_text(on_new_message, output, sender, text)
        else:  # media (NumMedia > 0), a location (Latitude/Longitude), ...
            self.handle_non_text(request, output, sender, None)
