"""Telegram Bot API connector (webhook in, sendMessage out).

Replaces Rasa's built-in ``telegram`` channel, which calls setWebhook and getMe
when Rasa starts and on every update, never checks Telegram's secret-token header
and drops the user's language. This one keeps the URL (/webhooks/telegram/webhook)
and the channel name ``telegram`` but:

* rejects every update without the right ``X-Telegram-Bot-Api-Secret-Token``
  (the ``secret_token`` given to setWebhook) with 403;
* makes no call to Telegram at start-up (register the webhook yourself, README);
* passes ``from.language_code`` on as the ``language`` hint;
* shows buttons as an inline keyboard and handles the ``callback_query`` a tap sends;
* stores only a pseudonym of the chat id (bot.privacy.pseudonyms).

credentials.yml keys (environment fallback): ``access_token`` ($TELEGRAM_ACCESS_TOKEN),
``secret_token`` ($TELEGRAM_SECRET_TOKEN), ``api_base_url`` ($TELEGRAM_API_BASE_URL,
default https://api.telegram.org), ``max_body_bytes``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.exceptions import Forbidden, InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.webhook import (
    NewMessageHandler,
    WebhookInput,
    WebhookOutput,
    as_object,
    as_text,
    parse_json_object,
    read_body,
    require,
    setting,
    split_text,
)

API_BASE_URL = "https://api.telegram.org"
#: sendMessage accepts at most 4096 characters of text.
TEXT_LIMIT = 4096
#: callback_data may hold 1-64 bytes; longer payloads are replaced by a short key.
CALLBACK_DATA_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramOutput(WebhookOutput):
    """Sends replies with the Bot API's sendMessage."""

    channel: TelegramInput

    @classmethod
    def name(cls) -> str:
        """Output channel name, used by channel-specific response variations."""
        return "telegram"

    async def _send(self, alias: str, text: str, markup: dict[str, Any] | None = None) -> None:
        chat_id = self.recipient(alias)
        if chat_id is None:
            return
        # Chat ids are integers (negative for groups); usernames of channels are strings.
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        pieces = split_text(text, TEXT_LIMIT) or [" "]
        for index, piece in enumerate(pieces):
            body: dict[str, Any] = {"chat_id": target, "text": piece}
            if markup and index == len(pieces) - 1:
                body["reply_markup"] = markup  # the keyboard goes under the last part
            await self.post(self.channel.method_url("sendMessage"), json=body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send plain text."""
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with an inline keyboard, one button per row (titles can be long)."""
        keyboard = [
            [{"text": b.get("title", ""), "callback_data": self.channel.callback_data(b)}]
            for b in buttons
        ]
        await self._send(recipient_id, text, {"inline_keyboard": keyboard})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Custom payloads are Telegram-specific: {"text": ..., "reply_markup": ...}."""
        text = json_message.get("text")
        if isinstance(text, str) and text:
            await self._send(recipient_id, text, json_message.get("reply_markup"))

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stop the spinner on the tapped button (Telegram expects an answer)."""
        await self.post(
            self.channel.method_url("answerCallbackQuery"),
            json={"callback_query_id": callback_query_id},
        )


class TelegramInput(WebhookInput):
    """Webhook for Telegram updates."""

    required = ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_SECRET_TOKEN")

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/telegram/ and input channel name."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> TelegramInput:
        """Read the keys of credentials.yml, falling back to the environment."""
        return cls(
            access_token=setting(credentials, "access_token", "TELEGRAM_ACCESS_TOKEN"),
            secret_token=setting(credentials, "secret_token", "TELEGRAM_SECRET_TOKEN"),
            api_base_url=setting(
                credentials, "api_base_url", "TELEGRAM_API_BASE_URL", API_BASE_URL
            ),
            max_body_bytes=cls.body_limit(credentials),
            rate_limit=cls.rate_setting(credentials),
        )

    def __init__(
        self,
        access_token: str | None,
        secret_token: str | None,
        api_base_url: str | None = API_BASE_URL,
        max_body_bytes: int | None = None,
        rate_limit: Any = None,
    ) -> None:
        self.access_token = access_token
        self.secret_token = secret_token
        self.api_base_url = (api_base_url or API_BASE_URL).rstrip("/")
        # Payloads too long for callback_data, by short key (memory only).
        self._long_payloads: OrderedDict[str, str] = OrderedDict()
        # No secret token, no channel: an unauthenticated webhook would let anyone
        # talk in any user's name.
        super().__init__(bool(access_token and secret_token), max_body_bytes, rate_limit)

    def method_url(self, method: str) -> str:
        """URL of a Bot API method."""
        return f"{self.api_base_url}/bot{self.access_token}/{method}"

    def callback_data(self, button: dict[str, Any]) -> str:
        """The button's payload, or a short key for it if it exceeds 64 bytes."""
        payload = str(button.get("payload") or button.get("title") or "")
        if len(payload.encode()) <= CALLBACK_DATA_BYTES:
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._long_payloads[key] = payload
        while len(self._long_payloads) > 10_000:
            self._long_payloads.popitem(last=False)
        return key

    def get_output_channel(self) -> OutputChannel:
        """A sender for replies (no network call here)."""
        return TelegramOutput(self)

    async def receive(self, request: Request, on_new_message: NewMessageHandler) -> HTTPResponse:
        """An update with the right secret-token header; replayed update ids are dropped."""
        given = request.headers.get(SECRET_HEADER) or ""
        if not hmac.compare_digest(given.encode(), str(self.secret_token).encode()):
            raise Forbidden("missing or wrong secret token")
        update = parse_json_object(read_body(request, self.max_body_bytes))
        require(isinstance(update.get("update_id"), int), "update_id missing")
        if self.recent.first_time(str(update["update_id"])):
            self._dispatch(request, update, on_new_message)
        return response.json({"ok": True})

    def _dispatch(
        self, request: Request, update: dict[str, Any], on_new_message: NewMessageHandler
    ) -> None:
        """Hand a message or button tap to Rasa; other update types are ignored."""
        output = TelegramOutput(self)
        if isinstance(query := update.get("callback_query"), dict):
            chat = _chat_id(query.get("message"))
            if chat is None:
                raise InvalidUsage("callback without chat")
            require(isinstance(query.get("id"), str), "callback_query.id missing")
            self.in_background(output.answer_callback(query["id"]), "answerCallbackQuery")
            data = query.get("data")
            if not isinstance(data, str) or not data:
                return  # e.g. a game button: nothing for the bot to say
            text = self._long_payloads.get(data, data)
            sender = self.pseudonyms.pseudonymise(chat)
            language = as_text(as_object(query.get("from")).get("language_code"))
            self.handle_text(on_new_message, output, sender, text, language)
            return
        message = update.get("message")
        if not isinstance(message, dict):
            return  # edited messages, channel posts, polls, member updates ...
        chat = _chat_id(message)
        if chat is None:
            raise InvalidUsage("message.chat.id missing")
        sender = self.pseudonyms.pseudonymise(chat)
        language = as_text(as_object(message.get("from")).get("language_code"))
        body = message.get("text")
        if isinstance(body, str) and body.strip():
            if body.split(maxsplit=1)[0].split("@")[0] == "/start":
                body = "/greet"  # Telegram's first message (deep-link parameter ignored)
            self.handle_text(on_new_message, output, sender, body, language)
        else:
            self.handle_non_text(request, output, sender, language)


def _chat_id(message: Any) -> int | str | None:
    chat_id = as_object(as_object(message).get("chat")).get("id")
    return chat_id if isinstance(chat_id, (int, str)) and chat_id != "" else None
