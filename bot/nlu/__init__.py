"""Custom Rasa NLU components (referenced from config.yml by dotted path).

Importing this package (Rasa does when it loads our model) also installs
bot.rasa_patches, a speed fix for Rasa's action-server response validation.
"""

from bot import rasa_patches  # noqa: F401  (installs on import)
