"""When a message's language decision changes the conversation's language.

The NLU component decides per message (bot/nlu/language_detector.py); this module
adds memory. The conversation's language sticks: an explicit choice beats
everything, the channel's hint sets the language only until the user has shown
theirs, and text evidence flips an established language only when it is strong
and long enough — "ok", "Essen", "45127" or a single "danke" never flip it. A message
in another script than the conversation's language (Arabic after a German browser
hint) flips it on its own, unless the language was chosen explicitly. A language
guessed from names alone (source ``names``) holds only until the user's own words say
otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.languages import is_supported
from bot.nlu.langid import LANGUAGE_SCRIPTS, OWN_SCRIPTS

#: Thresholds; see the module docstring.
FIRST_CONFIDENCE = 0.5
FLIP_CONFIDENCE = 0.9
FLIP_MIN_EVIDENCE = 8
#: Words besides names a message needs to flip a language by text: one word, however
#: long ("Kleinkleckersdorf", an unknown town typed in the guidance form), never does.
FLIP_MIN_WORDS = 2
FLIP_CHOICE_CONFIDENCE = 0.995
FLIP_CHOICE_MIN_EVIDENCE = 40
#: Letters besides names a message in another script needs to flip a language the user
#: has shown by text ("دورتموند" alone does not, "أين الجوب سنتر في دورتموند" does).
SCRIPT_FLIP_MIN_EVIDENCE = 3


@dataclass(frozen=True)
class LanguageState:
    """The conversation's language and how it was established."""

    code: str | None
    source: str | None  # choice | metadata | script | text | names


def resolve(
    state: LanguageState, decision: Mapping[str, Any] | None, chosen: str | None = None
) -> LanguageState | None:
    """Return the new state, or ``None`` to keep the current one.

    ``decision`` is the parse output's ``language`` object; ``chosen`` a language the
    user explicitly picked (button payload or "English please").
    """
    if is_supported(chosen):
        return None if state == LanguageState(chosen, "choice") else LanguageState(chosen, "choice")
    if not decision:
        return None
    code, source = decision.get("code"), decision.get("source")
    confidence = float(decision.get("confidence") or 0.0)
    evidence = int(decision.get("evidence") or 0)
    if not is_supported(code) or code == state.code:
        return None
    if source == "choice":
        return LanguageState(code, "choice")
    if source == "metadata":
        return LanguageState(code, "metadata") if state.source in (None, "metadata") else None
    if state.code is None or state.source == "names":
        # Names alone ("refugee counselling Hagen") only stand in until the user writes.
        return LanguageState(code, source) if confidence >= FIRST_CONFIDENCE else None
    script = decision.get("script")
    if (
        code is not None
        and script in OWN_SCRIPTS
        and script == LANGUAGE_SCRIPTS.get(code)
        and script != LANGUAGE_SCRIPTS.get(state.code)
        and state.source != "choice"
        and confidence >= FIRST_CONFIDENCE
        and (state.source == "metadata" or evidence >= SCRIPT_FLIP_MIN_EVIDENCE)
    ):
        # Written in another script than the conversation's language: nobody types
        # Arabic or Cyrillic to be answered in German, whatever the browser said.
        return LanguageState(code, source)
    if int(decision.get("words", FLIP_MIN_WORDS)) < FLIP_MIN_WORDS:
        return None
    if state.source == "choice":
        strong = confidence >= FLIP_CHOICE_CONFIDENCE and evidence >= FLIP_CHOICE_MIN_EVIDENCE
    else:
        strong = confidence >= FLIP_CONFIDENCE and evidence >= FLIP_MIN_EVIDENCE
    return LanguageState(code, source) if strong else None
