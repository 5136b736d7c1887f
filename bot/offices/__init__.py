"""The office directory: sourced contact points, postcode lookup, validation, cards.

Plain Python, no Rasa: the actions, the staff console and the CLI
(``python -m bot.offices validate|report``) all use it.
"""

from bot.offices.directory import Directory, Office, load_directory

__all__ = ["Directory", "Office", "load_directory"]
