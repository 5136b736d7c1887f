"""Tell a person, once per conversation, that personal data is not needed.

People often introduce themselves ("Ich heiße Samir, Tel 0176 …") although the bot needs
none of it. The first time a typed message contains personal data (anything the
redactor finds: name, phone, e-mail, address, date of birth, IBAN, case number), the bot
says kindly that it is not needed and is masked before the conversation is stored.

Where this runs: Rasa calls ``action_validate_slot_mappings`` (actions/privacy.py) after
every user message, before the next action is predicted. It sees the message as typed
(only the stored copy is redacted, by bot/privacy/tracker_store.py) and, unlike a custom
slot-mapping action, its messages reach the person. The slot :data:`NOTICE_SLOT` remembers
that the notice was given; it is stored like any slot, so the notice comes once per
conversation, across sessions, and again only after the conversation was deleted.
"""

from __future__ import annotations

from bot.privacy.redaction import find

#: Bool slot: the notice was given in this conversation (domain/privacy.yml).
NOTICE_SLOT = "personal_data_noticed"
#: The response with the notice (data/responses/privacy/<lang>.yml).
NOTICE_RESPONSE = "utter_personal_data_notice"


def volunteered(text: str | None) -> tuple[str, ...]:
    """The categories of personal data in a typed message, in order of appearance.

    Button payloads ("/inform{…}") are not typed by the person and carry none.
    """
    if not text or text.startswith("/"):
        return ()
    return tuple(dict.fromkeys(f.label for f in find(text)))


def needs_notice(text: str | None, already_noticed: bool | None) -> bool:
    """Whether to give the notice now: personal data, and not told before."""
    return not already_noticed and bool(volunteered(text))
