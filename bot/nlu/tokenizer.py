"""Whitespace tokenizer that writes a folded ``lemma`` for the featurizers.

The featurizers count ``token.lemma`` (``use_lemma`` is on by default), while
entity offsets use ``token.text/start/end``. Folding only the lemma makes
"مَكْتَب"/"مكتب", "كلاس"/"کلاس" and "İstanbul"/"istanbul" the same feature without
moving any offset.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.text import fold


# Registration is by class name, so the subclass needs its own decorator.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingWhitespaceTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer with diacritic- and keyboard-insensitive lemmas."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokenize as the parent does, then fold each token's lemma."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = fold(token.text)
        return tokens
