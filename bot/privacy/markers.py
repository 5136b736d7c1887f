"""Names shared by the deletion action and the tracker store."""

from __future__ import annotations

from typing import Any

# Bool slot set by action_delete_my_data (domain/privacy.yml).
DELETION_SLOT = "data_deletion"

#: The reply that confirms a deletion; its variations carry DELETED_FLAG in their metadata
#: (bot/responses.py) so that the widget can clear the device on that flag, not on its text.
DELETED_RESPONSE = "utter_data_deleted"
DELETED_FLAG = "conversation_deleted"


def is_deletion_marker(event: dict[str, Any]) -> bool:
    """True for the serialized SlotSet event that requests deleting the conversation."""
    return (
        event.get("event") == "slot"
        and event.get("name") == DELETION_SLOT
        and bool(event.get("value"))
    )
