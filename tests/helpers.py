"""Test helpers: the response texts a test may expect (processes: tools/processes.py)."""

from __future__ import annotations

from bot.responses import language_file, shared_responses


def texts(language: str, response: str, **values: str) -> list[str]:
    """The texts a response may have in ``language``, with placeholders filled."""
    if response in shared_responses():
        variations = shared_responses()[response]
    else:
        variations = language_file(language)["responses"][response]
    out = []
    for variation in variations:
        text = variation["text"]
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        out.append(text)
    return out
