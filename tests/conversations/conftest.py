"""An in-process Agent with the trained model, talking to the real action server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage


class Chat:
    """One conversation with the agent."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.sender = f"test-{uuid.uuid4().hex[:12]}"

    async def say(self, text: str, **metadata: Any) -> list[dict[str, Any]]:
        out = CollectingOutputChannel()
        await self.agent.handle_message(
            UserMessage(text, out, self.sender, metadata=metadata or None)
        )
        return out.messages

    async def slot(self, name: str) -> Any:
        tracker = await self.agent.tracker_store.retrieve(self.sender)
        return tracker.get_slot(name) if tracker else None

    async def latest_intent(self) -> str | None:
        """The intent the NLU pipeline gave the last message."""
        tracker = await self.agent.tracker_store.retrieve(self.sender)
        return tracker.latest_message.intent.get("name") if tracker else None


@pytest.fixture
def chat(agent: Agent) -> Chat:
    """A fresh conversation."""
    return Chat(agent)
