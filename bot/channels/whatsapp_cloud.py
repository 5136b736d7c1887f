"""WhatsApp through Meta's Cloud API (Rasa has no connector for it).

URL /webhooks/whatsapp/webhook, channel name ``whatsapp``:

* GET answers Meta's verification (hub.mode=subscribe, hub.verify_token,
  echo hub.challenge), 403 otherwise;
* POST checks ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app
  secret; 403 if missing or wrong), answers 200 at once and handles the messages
  in the background; status updates (sent/delivered/read/failed) are ignored
  (treating them as messages makes a bot talk to itself), replayed message ids
  are dropped;
* buttons become interactive reply buttons when WhatsApp allows them (at most 3,
  titles of at most 20 characters, body up to 1024 characters), otherwise a
  numbered list that the user answers with a digit; texts are split at 4096
  characters;
* stores only a pseudonym of the WhatsApp id (the phone number).

credentials.yml keys (environment fallback): ``access_token`` ($WHATSAPP_ACCESS_TOKEN),
``app_secret`` ($WHATSAPP_APP_SECRET), ``verify_token`` ($WHATSAPP_VERIFY_TOKEN),
``phone_number_id`` ($WHATSAPP_PHONE_NUMBER_ID), ``api_base_url``
($WHATSAPP_API_BASE_URL, default https://graph.facebook.com), ``api_version``
($WHATSAPP_API_VERSION, default v21.0), ``max_body_bytes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.webhook import (
    GraphOutput,
    GraphRequest,
    MetaWebhookInput,
    NewMessageHandler,
    as_list,
    as_object,
    as_text,
    numbered_list,
    require,
    setting,
    split_text,
)

TEXT_LIMIT = 4096
BUTTONS_MAX = 3
BUTTON_TITLE_CHARS = 20
BUTTON_ID_CHARS = 256
INTERACTIVE_BODY_CHARS = 1024
#: Message types that need no answer at all.
SILENT_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


def fits_reply_buttons(text: str, buttons: list[dict[str, Any]]) -> bool:
    """Whether WhatsApp accepts these buttons as interactive reply buttons."""
    return (
        0 < len(buttons) <= BUTTONS_MAX
        and 0 < len(text) <= INTERACTIVE_BODY_CHARS
        and all(0 < len(str(b.get("title", ""))) <= BUTTON_TITLE_CHARS for b in buttons)
        and all(0 < len(str(b.get("payload", ""))) <= BUTTON_ID_CHARS for b in buttons)
    )


class WhatsAppCloudOutput(GraphOutput):
    """Sends replies with POST /{version}/{phone_number_id}/messages."""

    channel: WhatsAppCloudInput

    @classmethod
    def name(cls) -> str:
        """Output channel name, used by channel-specific response variations."""
        return "whatsapp"

    def graph_request(self, platform_id: str, message: dict[str, Any]) -> GraphRequest:
        """Cloud API: POST {phone_number_id}/messages."""
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": platform_id,
            **message,
        }
        return f"{self.channel.phone_number_id}/messages", body

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, in parts of at most 4096 characters."""
        for piece in split_text(text, TEXT_LIMIT):
            await self._send(
                recipient_id, {"type": "text", "text": {"preview_url": False, "body": piece}}
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Interactive reply buttons if they fit WhatsApp's limits, else a numbered list."""
        if fits_reply_buttons(text, buttons):
            self.channel.menus.forget(recipient_id)  # digits no longer refer to an old list
            reply_buttons = [
                {"type": "reply", "reply": {"id": str(b["payload"]), "title": str(b["title"])}}
                for b in buttons
            ]
            await self._send(
                recipient_id,
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "button",
                        "body": {"text": text},
                        "action": {"buttons": reply_buttons},
                    },
                },
            )
            return
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        self.channel.menus.remember(recipient_id, payloads)
        await self.send_text_message(recipient_id, numbered_list(text, buttons))


class WhatsAppCloudInput(MetaWebhookInput):
    """Webhook for one WhatsApp Business phone number on the Cloud API."""

    required = (
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
    )

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/whatsapp/ and input channel name."""
        return "whatsapp"

    env_prefix = "WHATSAPP"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> WhatsAppCloudInput:
        """Read the keys of credentials.yml, falling back to the environment."""
        token = setting(credentials, "access_token", "WHATSAPP_ACCESS_TOKEN")
        number_id = setting(credentials, "phone_number_id", "WHATSAPP_PHONE_NUMBER_ID")
        settings = cls.meta_settings(credentials)
        return cls(
            token, settings.pop("app_secret"), settings.pop("verify_token"), number_id, **settings
        )

    def __init__(
        self,
        access_token: str | None,
        app_secret: str | None,
        verify_token: str | None,
        phone_number_id: str | None,
        **options: Any,
    ) -> None:
        """``options``: api_base_url, api_version, max_body_bytes, rate_limit (see the base)."""
        self.access_token = self.graph_token = access_token
        self.phone_number_id = phone_number_id
        enabled = bool(access_token and app_secret and verify_token and phone_number_id)
        super().__init__(enabled, app_secret, verify_token, **options)

    def get_output_channel(self) -> OutputChannel:
        """A sender for replies (no network call here)."""
        return WhatsAppCloudOutput(self)

    def handle_payload(
        self, request: Request, data: dict[str, Any], on_new_message: NewMessageHandler
    ) -> HTTPResponse:
        """The user messages of a payload, each once; Meta expects an empty 200."""
        messages = _messages(data)  # validates the whole payload before acting on it
        for message in messages:
            if self.recent.first_time(message["id"]):
                self._dispatch(request, message, on_new_message)
        return response.text("", status=200)

    def _dispatch(
        self, request: Request, message: dict[str, Any], on_new_message: NewMessageHandler
    ) -> None:
        kind = as_text(message.get("type"))
        if kind in SILENT_TYPES:
            return
        sender = self.pseudonyms.pseudonymise(message["from"])
        output = WhatsAppCloudOutput(self)
        text = _text_of(message)
        if text:
            self.handle_text(on_new_message, output, sender, text)
        else:  # image, sticker, audio (voice notes), video, document, location, contacts ...
            self.handle_non_text(request, output, sender, None)


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The user messages in a webhook payload; statuses and other fields are skipped."""
    require(isinstance(data.get("entry"), list), "entry must be a list")
    found: list[dict[str, Any]] = []
    for entry in data["entry"]:
        require(isinstance(entry, dict), "entry items must be objects")
        for change in as_list(entry.get("changes")):
            require(isinstance(change, dict), "changes items must be objects")
            if change.get("field") != "messages":
                continue  # template status, account updates ...
            value = change.get("value")
            require(isinstance(value, dict), "value must be an object")
            for message in as_list(value.get("messages")):  # absent in status updates
                require(isinstance(message, dict), "messages items must be objects")
                require(isinstance(message.get("from"), str) and message["from"], "from missing")
                require(isinstance(message.get("id"), str) and message["id"], "id missing")
                found.append(message)
    return found


def _text_of(message: dict[str, Any]) -> str | None:
    """Typed text, or the id of a tapped reply button / list row."""
    kind = message.get("type")
    if kind == "text":
        return as_text(as_object(message.get("text")).get("body"))
    if kind == "interactive":
        interactive = as_object(message.get("interactive"))
        reply = as_object(interactive.get("button_reply")) or as_object(
            interactive.get("list_reply")
        )
        return as_text(reply.get("id")) or as_text(reply.get("title"))
    if kind == "button":  # quick-reply button of a template message
        button = as_object(message.get("button"))
        return as_text(button.get("payload")) or as_text(button.get("text"))
    return None
