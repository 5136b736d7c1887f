"""The script beats a stale channel hint, through the loaded model's NLU.

A German browser sends ``{"language": "de"}`` with every message; a short Arabic
question typed into it must still be decided as Arabic on the first message. Arabic vs
Persian (and Ukrainian vs Russian) still needs evidence: there the hint keeps its say.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import UserMessage

CASES = [
    # (message, hint, decided language, source)
    ("أين الجوب سنتر في دورتموند؟", "de", "ar", "script"),
    ("الجوب سنتر دورتموند", "de", "ar", "script"),  # only names: the script still decides
    ("جاب سنتر دورتموند کجاست؟", "en", "fa", "script"),
    ("где джобцентр в Эссене?", "de", "ru", "script"),
    ("де джобцентр у Ессені?", "fr", "uk", "script"),
    # Same script as the hint: the hint decides between the two.
    ("الجوب سنتر دورتموند", "fa", "fa", "metadata"),
    # Latin is not a script of its own: a short Latin word keeps an Arabic hint.
    ("hallo", "ar", "ar", "metadata"),
]


@pytest.mark.parametrize("text,hint,code,source", CASES)
def test_script_beats_a_hint_in_another_script(agent, text, hint, code, source):
    async def parse() -> dict:
        message = UserMessage(text, sender_id="script-hint", metadata={"language": hint})
        return await agent.processor.parse_message(message)

    language = asyncio.run(parse())["language"]
    assert (language["code"], language["source"]) == (code, source), language
