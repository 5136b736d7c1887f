"""Facebook Messenger connector (Messenger Platform webhook in, Send API out).

Replaces Rasa's built-in ``facebook`` channel, which checks only the SHA-1
``X-Hub-Signature``, answers a bad signature with 200, and sends with the
synchronous ``requests`` library inside the event loop (old Graph API v2.12).
This one keeps the URL (/webhooks/facebook/webhook) and the channel name
``facebook`` but:

* verifies ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app
  secret) and rejects a missing or wrong one with 403;
* answers the subscription check (GET with hub.mode/hub.verify_token/hub.challenge);
* acknowledges at once, handles messages in the background, drops replayed mids;
* shows buttons as quick replies (at most 13, titles cut to 20 characters; more
  buttons become a numbered list), splits texts at 2000 characters;
* passes a ``locale`` on as the language hint when the event carries one
  (Messenger's webhook normally does not; the text then decides);
* stores only a pseudonym of the page-scoped user id.

credentials.yml keys (environment fallback): ``page_access_token``
($MESSENGER_PAGE_ACCESS_TOKEN), ``app_secret`` ($MESSENGER_APP_SECRET),
``verify_token`` ($MESSENGER_VERIFY_TOKEN), ``api_base_url``
($MESSENGER_API_BASE_URL, default https://graph.facebook.com), ``api_version``
($MESSENGER_API_VERSION, default v21.0), ``max_body_bytes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.exceptions import InvalidUsage
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

TEXT_LIMIT = 2000
QUICK_REPLIES_MAX = 13
QUICK_REPLY_TITLE_CHARS = 20
QUICK_REPLY_PAYLOAD_CHARS = 1000


def short_title(title: str, limit: int) -> str:
    """``title`` cut to ``limit`` characters (with an ellipsis when cut)."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


class FacebookOutput(GraphOutput):
    """Sends replies with the Send API (POST /{version}/me/messages)."""

    channel: FacebookInput

    @classmethod
    def name(cls) -> str:
        """Output channel name, used by channel-specific response variations."""
        return "facebook"

    def graph_request(self, platform_id: str, message: dict[str, Any]) -> GraphRequest:
        """Send API: POST me/messages."""
        body = {"recipient": {"id": platform_id}, "messaging_type": "RESPONSE", "message": message}
        return "me/messages", body

    async def _send_text(
        self, alias: str, text: str, quick_replies: list[dict[str, Any]] | None = None
    ) -> None:
        pieces = split_text(text, TEXT_LIMIT) or [" "]
        for index, piece in enumerate(pieces):
            message: dict[str, Any] = {"text": piece}
            if quick_replies and index == len(pieces) - 1:
                message["quick_replies"] = quick_replies
            await self._send(alias, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send plain text."""
        await self._send_text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies when they fit, else a numbered list answered with a digit."""
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        if len(buttons) <= QUICK_REPLIES_MAX and all(
            0 < len(p) <= QUICK_REPLY_PAYLOAD_CHARS for p in payloads
        ):
            self.channel.menus.forget(recipient_id)  # digits no longer refer to an old list
            quick = [
                {
                    "content_type": "text",
                    "title": short_title(str(b.get("title", "")), QUICK_REPLY_TITLE_CHARS),
                    "payload": payload,
                }
                for b, payload in zip(buttons, payloads)
            ]
            await self._send_text(recipient_id, text, quick)
            return
        self.channel.menus.remember(recipient_id, payloads)
        await self._send_text(recipient_id, numbered_list(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by URL."""
        await self._send(
            recipient_id,
            {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}},
        )


class FacebookInput(MetaWebhookInput):
    """Webhook for Messenger events of one Facebook page."""

    required = ("MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN")

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/facebook/ and input channel name (as Rasa's built-in)."""
        return "facebook"

    env_prefix = "MESSENGER"

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> FacebookInput:
        """Read the keys of credentials.yml, falling back to the environment."""
        token = setting(credentials, "page_access_token", "MESSENGER_PAGE_ACCESS_TOKEN")
        return cls(token, **cls.meta_settings(credentials))

    def __init__(
        self,
        page_access_token: str | None,
        app_secret: str | None,
        verify_token: str | None,
        **options: Any,
    ) -> None:
        """``options``: api_base_url, api_version, max_body_bytes, rate_limit (see the base)."""
        self.page_access_token = self.graph_token = page_access_token
        enabled = bool(page_access_token and app_secret and verify_token)
        super().__init__(enabled, app_secret, verify_token, **options)

    def get_output_channel(self) -> OutputChannel:
        """A sender for replies (no network call here)."""
        return FacebookOutput(self)

    def handle_payload(
        self, request: Request, data: dict[str, Any], on_new_message: NewMessageHandler
    ) -> HTTPResponse:
        """Each messaging event of each entry; Meta expects ``EVENT_RECEIVED``."""
        require(isinstance(data.get("entry"), list), "entry must be a list")
        for entry in data["entry"]:
            require(isinstance(entry, dict), "entry items must be objects")
            for event in as_list(entry.get("messaging")):
                require(isinstance(event, dict), "messaging items must be objects")
                self._dispatch(request, event, on_new_message)
        return response.text("EVENT_RECEIVED")

    def _dispatch(
        self, request: Request, event: dict[str, Any], on_new_message: NewMessageHandler
    ) -> None:
        """One messaging event: a message, quick reply or postback; others are ignored."""
        sender_field = as_object(event.get("sender"))
        psid = sender_field.get("id")
        message = event.get("message")
        postback = event.get("postback")
        if isinstance(message, dict) and message.get("is_echo"):
            return  # our own replies, echoed back
        if not isinstance(message, dict) and not isinstance(postback, dict):
            return  # delivery, read, reaction, optin ... events
        if not isinstance(psid, str) or psid == "":
            raise InvalidUsage("sender.id missing")
        event_id = as_text(as_object(message or postback).get("mid"))
        if event_id and not self.recent.first_time(event_id):
            return
        sender = self.pseudonyms.pseudonymise(psid)
        language = as_text(event.get("locale")) or as_text(sender_field.get("locale"))
        output = FacebookOutput(self)
        if isinstance(postback, dict):
            text = as_text(postback.get("payload")) or as_text(postback.get("title"))
        else:
            fields = as_object(message)
            quick = as_object(fields.get("quick_reply"))
            text = as_text(quick.get("payload")) or as_text(fields.get("text"))
        if text:
            self.handle_text(on_new_message, output, sender, text, language)
        else:
            self.handle_non_text(request, output, sender, language)
